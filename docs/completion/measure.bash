# SPDX-License-Identifier: Apache-2.0
# bash completion for measure(1)

_measure() {
	local cur prev words cword
	_init_completion || return

	local commands="eif snp tdx tpm image inspect compare fetch pin help"
	if [[ $cword -eq 1 ]]; then
		COMPREPLY=($(compgen -W "$commands --help --version" -- "$cur"))
		return
	fi
	case ${words[1]} in
	eif)
		if [[ ${words[2]} == build ]]; then
			case $prev in
			--kernel|--ramdisk|--metadata|-o|--output|--sign-cert|--sign-key|--image) _filedir; return ;;
			--bootstrap) _filedir -d; return ;;
			--platform|--max-size|--max-unpacked) return ;;
			--arch) COMPREPLY=($(compgen -W "x86_64 aarch64" -- "$cur")); return ;;
			--compat) COMPREPLY=($(compgen -W "eif_build" -- "$cur")); return ;;
			--cmdline|--name|--image-version|--build-time|--build-tool|--build-tool-version|--img-os|--img-kernel) return ;;
			esac
			if [[ $cur == -* ]]; then
				COMPREPLY=($(compgen -W "--output --kernel --cmdline --ramdisk --arch --metadata
					--no-metadata --name --image-version --build-time --compat --build-tool
					--build-tool-version --img-os --img-kernel --sign-cert --sign-key --bootstrap --image
					--platform --max-size --max-unpacked --quiet --help" -- "$cur"))
			fi
			return
		fi
		if [[ ${words[2]} == ramdisk ]]; then
			case $prev in
			-o|--output|--image) _filedir; return ;;
			--bootstrap) _filedir -d; return ;;
			--platform|--max-size|--max-unpacked) return ;;
			esac
			[[ $cur == -* ]] && COMPREPLY=($(compgen -W "--image --bootstrap --platform --max-size --max-unpacked --output --quiet --help" -- "$cur"))
			return
		fi
		if [[ ${words[2]} == sign ]]; then
			case $prev in
			-o|--output|--sign-cert|--sign-key) _filedir; return ;;
			esac
			if [[ $cur == -* ]]; then
				COMPREPLY=($(compgen -W "--sign-cert --sign-key --output --quiet --help" -- "$cur"))
			else
				_filedir eif
			fi
			return
		fi
		case $prev in
		--format) COMPREPLY=($(compgen -W "text json nitro-cli rvps intoto env kms cocos go-sev-guest" -- "$cur")); return ;;
		--env-prefix) return ;;
		esac
		if [[ $cur == -* ]]; then
			COMPREPLY=($(compgen -W "--json --format --env-prefix --quiet --help" -- "$cur"))
		elif [[ $cword -eq 2 ]]; then
			local sub=($(compgen -W "build sign ramdisk" -- "$cur"))
			_filedir eif
			COMPREPLY+=("${sub[@]}")
		else
			_filedir eif
		fi
		;;
	snp)
		if [[ ${words[2]} == id-block ]]; then
			case $prev in
			--id-key|--idkey|--author-key|--authorkey|--id-block-out|--id-auth-out) _filedir; return ;;
			esac
			[[ $cur == -* ]] && COMPREPLY=($(compgen -W "--measurement --id-key --author-key
				--family-id --image-id --guest-svn --policy --id-block-out --id-auth-out --json
				--quiet --help" -- "$cur"))
			return
		fi
		case $prev in
		--ovmf|--kernel|--initrd|--svsm|--vars-file|--published|--ovmf-metadata|--batch) _filedir; return ;;
		--dump-vmsa) _filedir -d; return ;;
		--find) return ;;
		--mode) COMPREPLY=($(compgen -W "snp snp:ovmf-hash snp:svsm seves sev" -- "$cur")); return ;;
		--vmm-type) COMPREPLY=($(compgen -W "QEMU ec2 gce" -- "$cur")); return ;;
		--vcpu-type) COMPREPLY=($(compgen -W "EPYC EPYC-v1 EPYC-v2 EPYC-IBPB EPYC-v3 EPYC-v4
			EPYC-Rome EPYC-Rome-v1 EPYC-Rome-v2 EPYC-Rome-v3 EPYC-Milan EPYC-Milan-v1
			EPYC-Milan-v2 EPYC-Genoa EPYC-Genoa-v1 EPYC-Turin" -- "$cur")); return ;;
		--kvm-init2) COMPREPLY=($(compgen -W "on off" -- "$cur")); return ;;
		--output-format) COMPREPLY=($(compgen -W "hex base64" -- "$cur")); return ;;
		--format) COMPREPLY=($(compgen -W "text json rvps intoto env cocos go-sev-guest" -- "$cur")); return ;;
		--env-prefix) return ;;
		esac
		if [[ $cur == -* ]]; then
			COMPREPLY=($(compgen -W "--ovmf --published --ovmf-metadata --mode --vcpus --vcpu-type --vcpu-sig --vcpu-family
				--vcpu-model --vcpu-stepping --vmm-type --guest-features --kernel --initrd --append
				--kernel-sha256 --initrd-sha256 --append-sha256 --snp-ovmf-hash --svsm --vars-size
				--vars-file --kvm-init2 --ec2-rdx --output-format --json --format --env-prefix --explain --dump-vmsa
				--batch --find --verbose --quiet --help" -- "$cur"))
		elif [[ $cword -eq 2 ]]; then
			COMPREPLY=($(compgen -W "id-block" -- "$cur"))
		fi
		;;
	tdx)
		if [[ ${words[2]} == eventlog ]]; then
			case $prev in
			--ccel-table|--against) _filedir; return ;;
			--format) COMPREPLY=($(compgen -W "auto ccel dstack-json" -- "$cur")); return ;;
			esac
			if [[ $cur == -* ]]; then
				COMPREPLY=($(compgen -W "--format --ccel-table --transcript --json --against --quiet --help" -- "$cur"))
			else
				_filedir
			fi
			return
		fi
		case $prev in
		--firmware|--vars|--acpi-loader|--acpi-rsdp|--acpi-tables|--boot-order|--boot-entry|--kernel|--initrd|--published)
			_filedir; return ;;
		--page-add-order) COMPREPLY=($(compgen -W "single-pass two-pass" -- "$cur")); return ;;
		--secure-boot) COMPREPLY=($(compgen -W "on off" -- "$cur")); return ;;
		--memory) COMPREPLY=($(compgen -W "1G 2G 4G 8G 16G" -- "$cur")); return ;;
		--cmdline|--qemu-version|--mrtd|--kernel-authenticode|--cmdline-sha384|--initrd-sha384|--env-prefix) return ;;
		--format) COMPREPLY=($(compgen -W "text json rvps intoto env cocos" -- "$cur")); return ;;
		esac
		if [[ $cur == -* ]]; then
			COMPREPLY=($(compgen -W "--firmware --published --mrtd --kernel-authenticode --cmdline-sha384
				--initrd-sha384 --vars --page-add-order --memory --acpi-loader --acpi-rsdp
				--acpi-tables --boot-order --boot-entry --secure-boot --kernel --initrd --cmdline
				--qemu-version --json --format --env-prefix --transcript --quiet --help" -- "$cur"))
		elif [[ $cword -eq 2 ]]; then
			COMPREPLY=($(compgen -W "eventlog" -- "$cur"))
		fi
		;;
	tpm)
		if [[ $cword -eq 2 ]]; then
			COMPREPLY=($(compgen -W "quote eventlog --help" -- "$cur"))
			return
		fi
		case $prev in
		--sig|--ak|--pcrs|--eventlog|--policy) _filedir; return ;;
		--nonce) return ;;
		esac
		if [[ $cur == -* ]]; then
			if [[ ${words[2]} == eventlog ]]; then
				COMPREPLY=($(compgen -W "--json --transcript --help" -- "$cur"))
			else
				COMPREPLY=($(compgen -W "--sig --ak --pcrs --eventlog --nonce --policy --json --quiet
					--help" -- "$cur"))
			fi
		else
			_filedir
		fi
		;;
	image)
		case $prev in
		--platform) COMPREPLY=($(compgen -W "linux/amd64 linux/arm64 linux/arm64/v8 linux/arm/v7" -- "$cur")); return ;;
		--format) COMPREPLY=($(compgen -W "text json rvps intoto env kms cocos go-sev-guest" -- "$cur")); return ;;
		--region|--env-prefix|--max-unpacked) return ;;
		--cosign-key|--cosign-signature|--cosign-payload) _filedir; return ;;
		esac
		if [[ $cur == -* ]]; then
			COMPREPLY=($(compgen -W "--platform --region --json --format --env-prefix --cosign-key --cosign-signature
				--cosign-payload --max-unpacked --quiet --help" -- "$cur"))
		else
			_filedir
		fi
		;;
	inspect)
		case $prev in
		--type) COMPREPLY=($(compgen -W "nitro snp tdx maa azure-vtpm tpm" -- "$cur")); return ;;
		esac
		if [[ $cur == -* ]]; then COMPREPLY=($(compgen -W "--type --help" -- "$cur")); else _filedir; fi
		;;
	compare)
		case $prev in
		--type) COMPREPLY=($(compgen -W "nitro snp tdx maa azure-vtpm" -- "$cur")); return ;;
		--at) COMPREPLY=($(compgen -W "evidence" -- "$cur")); return ;;
		--batch|--vcek|--certs|--root|--policy|--crl|--tcb-info|--qe-identity|--tcb-issuer-chain|--ca-file|--jwks) _filedir; return ;;
		--cosign-key|--cosign-bundle|--cosign-signature|--cosign-payload) _filedir; return ;;
		--tpm-quote|--tpm-sig|--tpm-ak|--tpm-pcrs|--tpm-eventlog|--init-data) _filedir; return ;;
		--issuer|--tpm-nonce|--init-data-digest) return ;;
		--cache) _filedir -d; return ;;
		--base-url) COMPREPLY=($(compgen -W "amd= intel=" -- "$cur")); compopt -o nospace; return ;;
		--accept-tcb) COMPREPLY=($(compgen -W "UpToDate SWHardeningNeeded ConfigurationNeeded
			ConfigurationAndSWHardeningNeeded OutOfDate OutOfDateConfigurationNeeded Revoked" -- "$cur")); return ;;
		--nonce|--min-tcb-date|--image-digest) return ;;
		esac
		if [[ $cur == -* ]]; then
			COMPREPLY=($(compgen -W "--batch --image-digest --cosign-key --cosign-bundle --cosign-signature --cosign-payload --type --at --nonce --report-data-prefix --allow-partial --vcek --certs
				--root --policy --crl --tcb-info --qe-identity --tcb-issuer-chain --accept-tcb --min-tcb-date
				--require-tcb --cache --fetch --base-url --ca-file --allow-debug --jwks --issuer --tpm-quote --tpm-sig
				--tpm-ak --tpm-pcrs --tpm-eventlog --tpm-nonce --init-data --init-data-digest --json --quiet --help" -- "$cur"))
		else
			_filedir
		fi
		;;
	fetch)
		case $prev in
		--type) COMPREPLY=($(compgen -W "nitro snp tdx" -- "$cur")); return ;;
		--product) COMPREPLY=($(compgen -W "Milan Genoa Turin" -- "$cur")); return ;;
		--cache) _filedir -d; return ;;
		--ca-file) _filedir; return ;;
		--base-url) COMPREPLY=($(compgen -W "amd= intel=" -- "$cur")); compopt -o nospace; return ;;
		--timeout) return ;;
		esac
		if [[ $cur == -* ]]; then
			COMPREPLY=($(compgen -W "--cache --base-url --product --type --timeout --ca-file --json --quiet
				--help" -- "$cur"))
		else
			_filedir
		fi
		;;
	pin)
		local verify="--type --at --nonce --report-data-prefix --allow-partial --vcek --certs --root --crl --allow-debug --jwks --issuer"
		if [[ $cword -eq 2 ]]; then
			COMPREPLY=($(compgen -W "add check update show list destroy export policy log --help" -- "$cur"))
			return
		fi
		case $prev in
		--type) COMPREPLY=($(compgen -W "nitro snp tdx maa azure-vtpm" -- "$cur")); return ;;
		--at) COMPREPLY=($(compgen -W "evidence" -- "$cur")); return ;;
		--format) COMPREPLY=($(compgen -W "env json" -- "$cur")); return ;;
		--jwks|--expected|--evidence|--signed-by|--operator-key|--vcek|--certs|--root|--crl|--key|--checkpoint|--old-checkpoint|--store) _filedir; return ;;
		--nonce|--reason|--env-prefix|--origin|--key-name|--old-size|--size) return ;;
		esac
		if [[ ${words[2]} == log ]]; then
			if [[ $cword -eq 3 ]]; then
				COMPREPLY=($(compgen -W "verify checkpoint prove check-proof export --help" -- "$cur"))
			elif [[ $cur == -* ]]; then
				COMPREPLY=($(compgen -W "--store --key --key-name --origin --checkpoint --old-checkpoint --old-size
					--size --json --help" -- "$cur"))
			else
				_filedir
			fi
			return
		fi
		if [[ $cur == -* ]]; then
			case ${words[2]} in
			add) COMPREPLY=($(compgen -W "--store --expected --evidence --json --quiet --help $verify" -- "$cur")) ;;
			check) COMPREPLY=($(compgen -W "--store --evidence --json --quiet --help $verify" -- "$cur")) ;;
			update) COMPREPLY=($(compgen -W "--store --expected --evidence --reason --signed-by
				--json --quiet --help $verify" -- "$cur")) ;;
			policy) COMPREPLY=($(compgen -W "--store --store-wide --require-signed-updates --allow-unsigned-updates
				--operator-key --signed-by --reason --restate-legacy --json --quiet --help" -- "$cur")) ;;
			show|list) COMPREPLY=($(compgen -W "--store --json --help" -- "$cur")) ;;
			destroy) COMPREPLY=($(compgen -W "--store --reason --signed-by --json --help" -- "$cur")) ;;
			export) COMPREPLY=($(compgen -W "--store --format --env-prefix --help" -- "$cur")) ;;
			esac
		fi
		;;
	help)
		COMPREPLY=($(compgen -W "$commands" -- "$cur"))
		;;
	esac
}
complete -F _measure measure
