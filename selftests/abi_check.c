// SPDX-License-Identifier: GPL-2.0
/*
 * Build-time check that uapi/linux/minikvm.h is the KVM ABI: this file is
 * compiled once against <linux/kvm.h>, once against <linux/minikvm.h>
 * (the two declare the same names, so they cannot share a translation
 * unit) and once more as the program comparing the two tables.  `make`
 * runs it and fails on any difference.
 */
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "abi_fields.h"

struct abi_entry {
	const char *name;
	unsigned long long a, b;	/* size and offset, or the value */
};

#define ABI_STRUCT(s)	{ "sizeof(struct " #s ")", sizeof(struct s), 0 },
#define ABI_FIELD(s, f)	{ #s "." #f, sizeof(((struct s *)0)->f), offsetof(struct s, f) },
#define ABI_CONST(c)	{ #c, (unsigned long long)(c), 0 },
#define ABI_TABLE(var)							\
	const struct abi_entry var[] = {				\
		ABI_STRUCTS(ABI_STRUCT) ABI_FIELDS(ABI_FIELD) ABI_CONSTS(ABI_CONST) \
		{ NULL, 0, 0 } }

#if defined(ABI_SIDE_KVM)
#include <linux/kvm.h>
ABI_TABLE(abi_kvm);
#elif defined(ABI_SIDE_MINIKVM)
#include <linux/minikvm.h>
ABI_TABLE(abi_minikvm);
#else
extern const struct abi_entry abi_kvm[], abi_minikvm[];

int main(void)
{
	int i, bad = 0;

	for (i = 0; abi_kvm[i].name; i++) {
		if (abi_kvm[i].a == abi_minikvm[i].a && abi_kvm[i].b == abi_minikvm[i].b)
			continue;
		fprintf(stderr, "abi_check: %s: KVM %llu/%llu, minikvm %llu/%llu\n",
			abi_kvm[i].name, abi_kvm[i].a, abi_kvm[i].b,
			abi_minikvm[i].a, abi_minikvm[i].b);
		bad++;
	}
	printf("abi_check: %d sizes, offsets and constants compared with <linux/kvm.h>, %d differ\n",
	       i, bad);
	return bad ? 1 : 0;
}
#endif
