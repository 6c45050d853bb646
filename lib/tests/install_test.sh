#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# The library as a user gets it: `make install` into a temporary prefix,
# `pkg-config --cflags --libs shmdemo`, a tiny program compiled and run
# against it (shared and static), `nm -D` showing exactly the API that
# include/libshmdemo.h declares, and a man page for each of those
# functions.  Prints its own TAP.  Host-only.
TOP=@TOP@
echo "TAP version 13"
echo "1..4"
if [ -n "$SHMDEMO_VM" ]; then
	for i in 1 2 3 4; do echo "ok $i # SKIP host-only (the guest's filesystem is read-only)"; done
	exit 0
fi
for tool in pkg-config nm cc; do
	command -v $tool >/dev/null || {
		for i in 1 2 3 4; do echo "ok $i # SKIP $tool not installed"; done
		exit 0
	}
done
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
fail=0

if make -s -C "$TOP/lib" install PREFIX="$tmp/prefix" >"$tmp/install.log" 2>&1; then
	cat >"$tmp/tiny.c" <<'C'
#include <stdio.h>
#include <libshmdemo.h>
int main(void)
{
	puts(shmd_backend_name(SHMD_BACKEND_SYSV));
	return shmd_backend_from_name("posix") == SHMD_BACKEND_POSIX ? 0 : 1;
}
C
	export PKG_CONFIG_PATH="$tmp/prefix/lib/pkgconfig"
	# shellcheck disable=SC2046
	if cc -o "$tmp/tiny" "$tmp/tiny.c" $(pkg-config --cflags --libs shmdemo) &&
	   [ "$(LD_LIBRARY_PATH="$tmp/prefix/lib" "$tmp/tiny")" = sysv ]; then
		echo "ok 1 install_pkgconfig_shared_program_builds_and_runs"
	else
		echo "not ok 1 install_pkgconfig_shared_program_builds_and_runs"; fail=1
	fi
	# shellcheck disable=SC2046
	if cc -static -o "$tmp/tiny-static" "$tmp/tiny.c" $(pkg-config --static --cflags --libs shmdemo) &&
	   [ "$("$tmp/tiny-static")" = sysv ]; then
		echo "ok 2 install_pkgconfig_static_program_builds_and_runs"
	else
		echo "not ok 2 install_pkgconfig_static_program_builds_and_runs"; fail=1
	fi
else
	sed 's/^/# /' "$tmp/install.log"
	echo "not ok 1 install_pkgconfig_shared_program_builds_and_runs # make install failed"
	echo "not ok 2 install_pkgconfig_static_program_builds_and_runs # make install failed"
	fail=1
fi

# Exported = declared: every shmd_* function of the public header, nothing else.
declared=$(grep -oE '^[a-z].*[ *]shmd_[a-z_]+\(' "$TOP/include/libshmdemo.h" |
	   grep -oE 'shmd_[a-z_]+\(' | tr -d '(' | sort -u)
exported=$(nm -D --defined-only "$TOP/lib/libshmdemo.so" | awk '$2 == "T" { sub(/@.*/, "", $3); print $3 }' | sort -u)
if [ -n "$declared" ] && [ "$declared" = "$exported" ]; then
	echo "ok 3 exported_symbols_are_exactly_the_documented_api"
else
	echo "# declared: $(echo $declared)"
	echo "# exported: $(echo $exported)"
	echo "not ok 3 exported_symbols_are_exactly_the_documented_api"; fail=1
fi

# Every function of the API has its own installed man page.
missing=""
for fn in $declared; do
	[ -f "$tmp/prefix/share/man/man3/$fn.3" ] || missing="$missing $fn"
done
if [ -n "$declared" ] && [ -z "$missing" ] && [ -f "$tmp/prefix/share/man/man3/libshmdemo.3" ]; then
	echo "ok 4 every_api_function_has_an_installed_man_page"
else
	echo "# missing:$missing"
	echo "not ok 4 every_api_function_has_an_installed_man_page"; fail=1
fi
exit $fail
