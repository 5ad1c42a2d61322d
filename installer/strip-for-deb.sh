#!/bin/sh
# CMAKE_STRIP for the package build: strip as dh_strip does for executables
# (debug symbols and the .comment/.note sections that lintian reports as
# binary-has-unneeded-section).
exec strip --remove-section=.comment --remove-section=.note "$@"
