# SPDX-License-Identifier: Apache-2.0
# bash completion for measure(1)

_measure() {
	local cur prev words cword
	_init_completion || return

	local commands="eif help"
	if [[ $cword -eq 1 ]]; then
		COMPREPLY=($(compgen -W "$commands --help --version" -- "$cur"))
		return
	fi
	case ${words[1]} in
	eif)
		if [[ ${words[2]} == build ]]; then
			case $prev in
			--kernel|--ramdisk|--metadata|-o|--output) _filedir; return ;;
			--arch) COMPREPLY=($(compgen -W "x86_64 aarch64" -- "$cur")); return ;;
			--cmdline|--name|--image-version|--build-time) return ;;
			esac
			if [[ $cur == -* ]]; then
				COMPREPLY=($(compgen -W "--output --kernel --cmdline --ramdisk --arch --metadata
					--no-metadata --name --image-version --build-time --quiet --help" -- "$cur"))
			fi
			return
		fi
		case $prev in
		--format) COMPREPLY=($(compgen -W "text json nitro-cli" -- "$cur")); return ;;
		esac
		if [[ $cur == -* ]]; then
			COMPREPLY=($(compgen -W "--json --format --quiet --help" -- "$cur"))
		elif [[ $cword -eq 2 ]]; then
			local sub=($(compgen -W "build" -- "$cur"))
			_filedir eif
			COMPREPLY+=("${sub[@]}")
		else
			_filedir eif
		fi
		;;
	help)
		COMPREPLY=($(compgen -W "$commands" -- "$cur"))
		;;
	esac
}
complete -F _measure measure
