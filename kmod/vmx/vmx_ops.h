/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Every raw VMX instruction minikvm executes, and the typed VMCS accessors.
 *
 * A VMCS field encoding carries its width in bits 14:13 (SDM Vol. 3C,
 * Appendix B): 0 = 16-bit, 1 = 64-bit, 2 = 32-bit, 3 = natural width.
 * vmcs_read16/32/64/l and the writes refuse at compile time a constant
 * field of another width.  A failing VMREAD or VMWRITE is reported once
 * with the field, the value and VM_INSTRUCTION_ERROR; never silently.
 *
 * All of these need VMX operation on this CPU and, for the VMCS accessors,
 * this vCPU's VMCS current on it: callers run with preemption off.
 */
#ifndef MKVM_VMX_OPS_H
#define MKVM_VMX_OPS_H

#include <linux/bug.h>
#include <linux/types.h>
#include <asm/vmx.h>

#define VMCS_WIDTH(f)	(((f) >> 13) & 3)
#define VMCS_W16	0
#define VMCS_W64	1
#define VMCS_W32	2
#define VMCS_WNAT	3

/* Refuse, at compile time, a constant field of another width. */
static __always_inline void vmcs_check(unsigned long field, unsigned int width)
{
	BUILD_BUG_ON_MSG(__builtin_constant_p(field) &&
			 (VMCS_WIDTH(field) != width ||
			  (width == VMCS_W64 && (field & 1))),
			 "VMCS field accessed with the wrong width");
}

void mkvm_vmx_vmread_error(unsigned long field);
void mkvm_vmx_vmwrite_error(unsigned long field, unsigned long value);

static __always_inline unsigned long __vmcs_readl(unsigned long field)
{
	unsigned long value;
	bool fail;

	asm volatile("vmread %[field], %[value]\n\t"
		     "setna %[fail]"
		     : [value] "=rm" (value), [fail] "=qm" (fail)
		     : [field] "r" (field)
		     : "cc");
	if (unlikely(fail))
		mkvm_vmx_vmread_error(field);
	return value;
}

static __always_inline void __vmcs_writel(unsigned long field,
					  unsigned long value)
{
	bool fail;

	asm volatile("vmwrite %[value], %[field]\n\t"
		     "setna %[fail]"
		     : [fail] "=qm" (fail)
		     : [field] "r" (field), [value] "rm" (value)
		     : "cc", "memory");
	if (unlikely(fail))
		mkvm_vmx_vmwrite_error(field, value);
}

static __always_inline u16 vmcs_read16(unsigned long field)
{
	vmcs_check(field, VMCS_W16);
	return __vmcs_readl(field);
}

static __always_inline u32 vmcs_read32(unsigned long field)
{
	vmcs_check(field, VMCS_W32);
	return __vmcs_readl(field);
}

static __always_inline u64 vmcs_read64(unsigned long field)
{
	vmcs_check(field, VMCS_W64);
	return __vmcs_readl(field);
}

static __always_inline unsigned long vmcs_readl(unsigned long field)
{
	vmcs_check(field, VMCS_WNAT);
	return __vmcs_readl(field);
}

static __always_inline void vmcs_write16(unsigned long field, u16 value)
{
	vmcs_check(field, VMCS_W16);
	__vmcs_writel(field, value);
}

static __always_inline void vmcs_write32(unsigned long field, u32 value)
{
	vmcs_check(field, VMCS_W32);
	__vmcs_writel(field, value);
}

static __always_inline void vmcs_write64(unsigned long field, u64 value)
{
	vmcs_check(field, VMCS_W64);
	__vmcs_writel(field, value);
}

static __always_inline void vmcs_writel(unsigned long field, unsigned long value)
{
	vmcs_check(field, VMCS_WNAT);
	__vmcs_writel(field, value);
}

/* VMX instructions that take a 64-bit physical address in memory. */
#define VMX_INSN_PA(insn, pa) ({					\
	u64 __pa = (pa);						\
	bool __fail;							\
	asm volatile(insn " %[p]\n\tsetna %[f]"				\
		     : [f] "=qm" (__fail) : [p] "m" (__pa) : "cc", "memory"); \
	__fail; })

/* Return true on VMfailInvalid or VMfailValid. */
static inline bool vmxon(u64 pa)   { return VMX_INSN_PA("vmxon", pa); }
static inline bool vmclear(u64 pa) { return VMX_INSN_PA("vmclear", pa); }
static inline bool vmptrld(u64 pa) { return VMX_INSN_PA("vmptrld", pa); }

static inline void vmxoff(void)
{
	asm volatile("vmxoff" ::: "cc", "memory");
}

/* INVEPT and INVVPID descriptors (SDM Vol. 3C, 31.3). */
static inline bool vmx_invept(unsigned long type, u64 eptp)
{
	struct { u64 eptp, zero; } desc = { eptp, 0 };
	bool fail;

	asm volatile("invept %[d], %[t]\n\tsetna %[f]"
		     : [f] "=qm" (fail) : [d] "m" (desc), [t] "r" (type)
		     : "cc", "memory");
	return fail;
}

static inline bool vmx_invvpid(unsigned long type, u16 vpid)
{
	struct { u64 vpid, gva; } desc = { vpid, 0 };
	bool fail;

	asm volatile("invvpid %[d], %[t]\n\tsetna %[f]"
		     : [f] "=qm" (fail) : [d] "m" (desc), [t] "r" (type)
		     : "cc", "memory");
	return fail;
}

#endif
