# Sourced by the benchmark scripts: materialize_root DIR writes the compliant
# fixture root (tests/fixtures/roots/apicrypt-compliant.manifest) into DIR;
# owners and modes need root. Needs $src (the source tree).
materialize_root() {
  local root=$1 manifest=$src/tests/fixtures/roots/apicrypt-compliant.manifest
  local kind path a b c rest
  while read -r kind path a b c rest; do
    case "$kind" in
      ''|'#'*) continue ;;
      dir) install -d -m "$a" -o "$b" -g "$c" "$root$path" ;;
      file)
        mkdir -p "$(dirname "$root$path")"
        case "$rest" in
          @*) cp "$(dirname "$manifest")/${rest#@}" "$root$path" ;;
          '= '*) printf '%b' "${rest#= }" >"$root$path" ;;
          *) : >"$root$path" ;;
        esac
        chown "$b:$c" "$root$path"; chmod "$a" "$root$path" ;;
      link) mkdir -p "$(dirname "$root$path")"; ln -sfn "$a" "$root$path" ;;
    esac
  done <"$manifest"
}
