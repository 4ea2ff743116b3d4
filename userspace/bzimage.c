// SPDX-License-Identifier: GPL-2.0
/*
 * The x86 64-bit boot protocol (Documentation/x86/boot.rst in Linux,
 * "64-bit Boot Protocol"; the zero page is Documentation/x86/zero-page.rst
 * and struct boot_params of <asm/bootparam.h>):
 *
 *  - the zero page is zeroed, the setup header (0x1f1 up to 0x202 plus
 *    the byte at 0x201) is copied into it from the image and completed
 *    (loader type, command line, initrd), and an e820 table is added;
 *  - the protected-mode kernel, the part of the file after the
 *    (setup_sects + 1) sectors of real-mode setup, is loaded at 1 MiB;
 *    the kernel is relocatable and moves itself where it wants to run;
 *  - the CPU starts in 64-bit mode at the load address + 0x200, with
 *    identity-mapped paging, a GDT with flat __BOOT_CS (0x10) and
 *    __BOOT_DS (0x18), CS = __BOOT_CS, DS = ES = SS = __BOOT_DS,
 *    interrupts off and RSI = the zero page's address.
 *
 * The guest-physical layout (below 1 MiB the kernel reserves all of it for
 * itself once it runs, and copies the zero page and command line first):
 *
 *   0x001000  GDT
 *   0x006000  a 4 KiB stack (the kernel sets up its own at once)
 *   0x007000  zero page
 *   0x009000  PML4, PDPT, and four page directories of 2 MiB pages
 *             mapping the first 4 GiB
 *   0x020000  command line
 *   0x100000  the protected-mode kernel
 *   top       the initrd, as high as initrd_addr_max and RAM allow
 */
#include "bzimage.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <asm/bootparam.h>

#define GDT_ADDR	0x1000
#define STACK_TOP	0x7000
#define ZERO_PAGE	0x7000
#define PML4_ADDR	0x9000
#define PDPT_ADDR	0xa000
#define PD_ADDR		0xb000		/* four of them */
#define CMDLINE_ADDR	0x20000
#define KERNEL_ADDR	0x100000

#define BOOT_CS		0x10
#define BOOT_DS		0x18

#define SETUP_HDR	0x1f1		/* the setup header's offset in the image */
#define MIN_PROTOCOL	0x020c		/* 2.12: xloadflags says "has a 64-bit entry" */

#define E820_RAM	1
#define E820_RESERVED	2

#define PAGE_2M		(2ull << 20)

static void *read_file(const char *path, const char *what, size_t *size)
{
	struct stat st;
	void *buf;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || fstat(fd, &st) < 0) {
		fprintf(stderr, "minikvm-run: cannot read %s %s: %s\n", what, path,
			strerror(errno));
		return NULL;
	}
	buf = malloc(st.st_size ? st.st_size : 1);
	if (!buf || read(fd, buf, st.st_size) != st.st_size) {
		fprintf(stderr, "minikvm-run: short read of %s %s\n", what, path);
		free(buf);
		close(fd);
		return NULL;
	}
	close(fd);
	*size = st.st_size;
	return buf;
}

static void e820_add(struct boot_params *bp, uint64_t addr, uint64_t size, uint32_t type)
{
	struct boot_e820_entry *e = &bp->e820_table[bp->e820_entries++];

	e->addr = addr;
	e->size = size;
	e->type = type;
}

/* Identity-map the first 4 GiB with 2 MiB pages: RAM and the MMIO above it. */
static void build_page_tables(void *mem)
{
	uint64_t *pml4 = (uint64_t *)((char *)mem + PML4_ADDR);
	uint64_t *pdpt = (uint64_t *)((char *)mem + PDPT_ADDR);
	uint64_t *pd = (uint64_t *)((char *)mem + PD_ADDR);
	int i;

	memset(pml4, 0, 4096 * 6);
	pml4[0] = PDPT_ADDR | 0x3;			/* present, writable */
	for (i = 0; i < 4; i++)
		pdpt[i] = (PD_ADDR + i * 4096) | 0x3;
	for (i = 0; i < 4 * 512; i++)
		pd[i] = i * PAGE_2M | 0x83;		/* present, writable, 2 MiB */
}

static void build_gdt(void *mem)
{
	uint64_t *gdt = (uint64_t *)((char *)mem + GDT_ADDR);

	memset(gdt, 0, 4 * sizeof(*gdt));
	gdt[BOOT_CS / 8] = 0x00af9b000000ffffull;	/* 64-bit code, execute/read */
	gdt[BOOT_DS / 8] = 0x00cf93000000ffffull;	/* 4 GiB flat data, read/write */
}

int bzimage_load(const struct linux_opts *o, void *mem, uint64_t mem_size,
		 struct linux_boot *boot)
{
	struct boot_params *bp = (struct boot_params *)((char *)mem + ZERO_PAGE);
	unsigned char *img, *initrd = NULL;
	size_t img_size, initrd_size = 0, hdr_end, kernel_off, cmd_len;
	struct setup_header hdr = { 0 };
	uint64_t initrd_top;
	size_t ver;
	int ret = -1;

	img = read_file(o->kernel, "kernel", &img_size);
	if (!img)
		return -1;
	if (o->initrd) {
		initrd = read_file(o->initrd, "initrd", &initrd_size);
		if (!initrd)
			goto out;
	}
	memset(boot, 0, sizeof(*boot));

	if (img_size < 0x1000 || img[0x1fe] != 0x55 || img[0x1ff] != 0xaa ||
	    memcmp(img + 0x202, "HdrS", 4)) {
		fprintf(stderr, "minikvm-run: %s is not a bzImage (no boot sector "
			"signature or no \"HdrS\" setup header)\n", o->kernel);
		goto out;
	}
	hdr_end = 0x202 + img[0x201];
	memcpy(&hdr, img + SETUP_HDR, sizeof(hdr) < hdr_end - SETUP_HDR ?
	       sizeof(hdr) : hdr_end - SETUP_HDR);
	boot->protocol = hdr.version;
	if (hdr.version < MIN_PROTOCOL || !(hdr.xloadflags & XLF_KERNEL_64) ||
	    !(hdr.loadflags & LOADED_HIGH)) {
		fprintf(stderr, "minikvm-run: %s: boot protocol %u.%02u without a 64-bit "
			"entry point: 2.12 or later with XLF_KERNEL_64 is needed\n",
			o->kernel, hdr.version >> 8, hdr.version & 0xff);
		goto out;
	}
	/* kernel_version points, less 0x200, at a NUL-terminated string. */
	ver = hdr.kernel_version + 0x200u;
	if (hdr.kernel_version && ver < img_size)
		snprintf(boot->version, sizeof(boot->version), "%.*s",
			 (int)(img_size - ver < sizeof(boot->version) - 1 ?
			       img_size - ver : sizeof(boot->version) - 1),
			 (const char *)img + ver);

	/* The protected-mode kernel follows the real-mode setup sectors. */
	kernel_off = ((hdr.setup_sects ? hdr.setup_sects : 4) + 1) * 512;
	if (kernel_off >= img_size) {
		fprintf(stderr, "minikvm-run: %s: truncated kernel\n", o->kernel);
		goto out;
	}
	/*
	 * The kernel decompresses itself at its preferred address (at least
	 * where it was loaded, rounded up to its alignment) and needs
	 * init_size bytes there.
	 */
	boot->kernel_end = (hdr.pref_address > KERNEL_ADDR ? hdr.pref_address : KERNEL_ADDR) +
			   hdr.init_size;
	if (KERNEL_ADDR + (img_size - kernel_off) > mem_size || boot->kernel_end > mem_size) {
		fprintf(stderr, "minikvm-run: guest memory too small: the kernel needs "
			"%llu MiB (use --mem)\n",
			(unsigned long long)(boot->kernel_end >> 20) + 1);
		goto out;
	}
	cmd_len = strlen(o->cmdline);
	if (hdr.cmdline_size && cmd_len > hdr.cmdline_size) {
		fprintf(stderr, "minikvm-run: the command line is %zu bytes, the kernel "
			"takes %u\n", cmd_len, hdr.cmdline_size);
		goto out;
	}

	memcpy((char *)mem + KERNEL_ADDR, img + kernel_off, img_size - kernel_off);
	memcpy((char *)mem + CMDLINE_ADDR, o->cmdline, cmd_len + 1);

	memset(bp, 0, sizeof(*bp));
	memcpy((char *)bp + SETUP_HDR, img + SETUP_HDR, hdr_end - SETUP_HDR);
	bp->hdr.type_of_loader = 0xff;		/* a loader with no assigned id */
	bp->hdr.vid_mode = 0xffff;		/* "normal": no mode set */
	bp->hdr.code32_start = KERNEL_ADDR;
	bp->hdr.cmd_line_ptr = CMDLINE_ADDR;

	if (initrd) {
		/* As high as possible: below initrd_addr_max and the end of RAM. */
		initrd_top = (uint64_t)hdr.initrd_addr_max + 1;
		if (!hdr.initrd_addr_max || initrd_top > mem_size)
			initrd_top = mem_size;
		boot->initrd_addr = (initrd_top - initrd_size) & ~0xfffull;
		boot->initrd_size = initrd_size;
		if (initrd_size > initrd_top || boot->initrd_addr < boot->kernel_end) {
			fprintf(stderr, "minikvm-run: guest memory too small: the kernel "
				"needs up to %#llx and the initrd %zu bytes more, below "
				"%#llx (use --mem)\n", (unsigned long long)boot->kernel_end,
				initrd_size, (unsigned long long)initrd_top);
			goto out;
		}
		memcpy((char *)mem + boot->initrd_addr, initrd, initrd_size);
		bp->hdr.ramdisk_image = boot->initrd_addr;
		bp->hdr.ramdisk_size = initrd_size;
	}

	/* RAM below 640 KiB, the legacy VGA and BIOS hole, RAM from 1 MiB on. */
	e820_add(bp, 0, 0xa0000, E820_RAM);
	e820_add(bp, 0xa0000, 0x100000 - 0xa0000, E820_RESERVED);
	e820_add(bp, 0x100000, mem_size - 0x100000, E820_RAM);

	build_gdt(mem);
	build_page_tables(mem);
	boot->entry = KERNEL_ADDR + 0x200;
	boot->zero_page = ZERO_PAGE;
	ret = 0;
out:
	free(initrd);
	free(img);
	return ret;
}

void bzimage_vcpu_state(const struct linux_boot *boot, struct kvm_sregs *s,
			struct kvm_regs *r)
{
	flat_segment(&s->cs, BOOT_CS, 0xb, 1);
	flat_segment(&s->ds, BOOT_DS, 0x3, 0);
	s->es = s->fs = s->gs = s->ss = s->ds;
	s->gdt.base = GDT_ADDR;
	s->gdt.limit = 4 * 8 - 1;
	s->cr0 = 0x80000031;		/* PG, NE, ET, PE */
	s->cr3 = PML4_ADDR;
	s->cr4 = 0x20;			/* PAE */
	s->efer = 0x500;		/* LME, LMA */

	memset(r, 0, sizeof(*r));
	r->rflags = 2;			/* IF clear */
	r->rip = boot->entry;
	r->rsi = boot->zero_page;
	r->rsp = STACK_TOP;
}
