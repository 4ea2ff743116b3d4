#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Static checks of the module: a W=1 build through sparse (C=2), then
# checkpatch.pl --strict from Debian's linux-source-6.1 over every source
# file of the module and the ABI header.  Exit status non-zero on any
# finding.
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
kver=$("$top/scripts/kdir.sh") || exit 1
kdir=/lib/modules/$kver/build
rc=0

# From scratch, so that every file is compiled (and its warnings seen).
make -s -C "$kdir" M="$top" clean >/dev/null 2>&1
out=$(make -s -C "$kdir" M="$top" C=2 W=1 modules 2>&1 | grep -v -e "^make" -e "Skipping BTF")
if [ -n "$out" ]; then
	echo "$out"
	echo "lint: sparse or W=1 reported the above"
	rc=1
else
	echo "lint: W=1 and sparse clean"
fi

cp_dir=$top/build/checkpatch
if [ ! -x "$cp_dir/checkpatch.pl" ]; then
	tarball=$(ls /usr/src/linux-source-6.1*.tar.xz 2>/dev/null | head -1)
	if [ -z "$tarball" ]; then
		echo "lint: linux-source-6.1 is not installed: apt-get install linux-source-6.1"
		exit 1
	fi
	mkdir -p "$cp_dir"
	tar -xJf "$tarball" -C "$cp_dir" --strip-components=2 --wildcards \
		'*/scripts/checkpatch.pl' '*/scripts/spelling.txt' \
		'*/scripts/const_structs.checkpatch'
fi
# checkpatch.pl --strict over FILES, with the listed exceptions.
checkpatch() {
	ignore=$1
	shift
	(cd "$top" && "$cp_dir/checkpatch.pl" --strict --no-tree --quiet --terse \
		--ignore "SPDX_LICENSE_TAG,FILE_PATH_CHANGES$ignore" -f "$@") \
		> "$top/build/checkpatch.out" || rc=1
	grep -v "^total: 0 errors, 0 warnings, 0 checks" "$top/build/checkpatch.out"
}
# Exceptions, one reason each:
# - kmod/x86/ops.h: MKVM_X86_OPS is an X-macro list (KVM's kvm-x86-ops.h
#   pattern); it cannot be parenthesised and reuses its argument by design.
# - kmod/x86/exit_names.h: lists of { code, "name" } initialisers that go
#   into an array and into __print_symbolic() (as <uapi/asm/vmx.h>'s
#   VMX_EXIT_REASONS); parentheses would break both.
# - uapi/linux/minikvm.h: BIT() does not exist for userspace.
# - kmod/x86/gprs_asm.h, kmod/x86/spec_asm.h: assembler macros, which
#   checkpatch reads as C because of the .h name; not checked.
# - kmod/x86/trace.h: TRACE_EVENT's own layout (open parentheses at line
#   ends, the define_trace.h path), as in the kernel's include/trace/events,
#   and the { value, "name" } lists of __print_symbolic() (as exit_names.h).
checkpatch "" $(cd "$top" && ls kmod/*/*.[chS] | grep -v -e '^kmod/x86/ops.h$' \
	-e '^kmod/x86/gprs_asm.h$' -e '^kmod/x86/spec_asm.h$' -e '^kmod/x86/trace.h$' \
	-e '^kmod/x86/exit_names.h$')
checkpatch ",PARENTHESIS_ALIGNMENT,OPEN_ENDED_LINE,SPACING,COMPLEX_MACRO" kmod/x86/trace.h
checkpatch ",COMPLEX_MACRO,MACRO_ARG_REUSE" kmod/x86/ops.h
checkpatch ",COMPLEX_MACRO" kmod/x86/exit_names.h
checkpatch ",BIT_MACRO" uapi/linux/minikvm.h
[ $rc -eq 0 ] && echo "lint: checkpatch --strict clean"
exit $rc
