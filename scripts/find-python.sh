#!/bin/sh
# Print the path of a Python >= 3.12 interpreter, or explain how to get one and fail.
# Looks at $PYTHON, then the usual names on PATH, then pyenv's and uv's installed versions.
ok() { "$1" -c 'import sys; sys.exit(sys.version_info < (3, 12))' >/dev/null 2>&1; }
for candidate in "${PYTHON:-}" python3.14 python3.13 python3.12 python3 python; do
    [ -n "$candidate" ] || continue
    path=$(command -v "$candidate" 2>/dev/null) || continue
    if ok "$path"; then echo "$path"; exit 0; fi
done
for path in "${PYENV_ROOT:-$HOME/.pyenv}"/versions/3.1[2-9]*/bin/python3 \
            "$HOME"/.local/share/uv/python/cpython-3.1[2-9]*/bin/python3 \
            /usr/local/bin/python3.1[2-9] /usr/bin/python3.1[2-9]; do
    if [ -x "$path" ] && ok "$path"; then echo "$path"; exit 0; fi
done
cat >&2 <<'MSG'
Conduct Portal needs Python 3.12 or newer, and none was found.
Install one, then run make again, for example:
  - Debian/Ubuntu: sudo apt-get install python3.12 python3.12-venv
  - pyenv:         pyenv install 3.12
  - uv:            uv python install 3.12
Or point to one explicitly: make run PYTHON=/path/to/python3.12
MSG
exit 1
