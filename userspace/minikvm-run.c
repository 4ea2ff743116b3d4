// SPDX-License-Identifier: GPL-2.0
/*
 * minikvm-run: load a guest into a new VM and run it.
 *
 * The guest is a flat binary (loaded at --load, started in real mode at
 * --cs:--ip) or an ELF executable (its PT_LOAD segments at their physical
 * addresses, started at its entry point).  --mode chooses the CPU mode it
 * starts in; for the protected modes the launcher builds a flat GDT,
 * identity-mapping page tables and a stack in the last 64 KiB of guest
 * memory.
 *
 * The launcher emulates two devices: a UART transmitter at 0x3f8 (bytes
 * written there go to stdout; the line status register at 0x3fd always
 * says "ready") and a debug-exit port at 0xf4 (a byte written there ends
 * the run with that byte as the exit status).  HLT ends the run with 0.
 * It works on /dev/kvm as well as /dev/minikvm (--device).
 *
 * --kernel boots a Linux bzImage instead, with a PC's legacy devices
 * emulated here (linux.c and the device files; Documentation/launcher.rst).
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include <elf.h>

#include "launcher.h"

#define UART_BASE	0x3f8
#define UART_LSR	(UART_BASE + 5)
#define DEBUG_EXIT_PORT	0xf4

enum mode { MODE_REAL, MODE_PROT, MODE_PAGED, MODE_PAE, MODE_LONG };
static const char *const mode_names[] = { "real", "prot", "paged", "pae", "long" };

struct opts {
	enum mode mode;
	const char *device;
	const char *image;
	unsigned long mem;
	unsigned long load;
	unsigned int cs, ip;
	int verbose;
};

static void usage(FILE *f)
{
	fprintf(f,
"usage: minikvm-run [options] IMAGE\n"
"       minikvm-run [--device PATH] [--mem SIZE] [-v] --kernel BZIMAGE\n"
"                   [--initrd FILE] [--append CMDLINE]\n"
"Run IMAGE, a flat binary or an ELF executable, in a new VM, or boot a\n"
"Linux bzImage on emulated PC devices (PIC, PIT, 16550A, RTC, i8042).\n"
"  --device PATH   hypervisor device (default /dev/minikvm; /dev/kvm works)\n"
"  --mode MODE     real (default), prot (32-bit flat), paged (32-bit with\n"
"                  4 MiB pages), pae, or long (64-bit); an ELF64 image needs\n"
"                  long, an ELF32 image one of the 32-bit modes\n"
"  --mem SIZE      guest memory in bytes, K, M or G suffix (default 1M; 4M\n"
"                  or more in the paged modes; 256M with --kernel)\n"
"  --load GPA      flat binary: guest-physical load address (default 0x1000)\n"
"  --cs SEL        real mode: code segment (default 0)\n"
"  --ip OFF        flat binary: where to start (default: the load address)\n"
"  --verbose       report every exit on stderr (with --kernel: timings and\n"
"                  the I/O ports no device claimed)\n"
"  --kernel FILE   boot this Linux bzImage (64-bit boot protocol)\n"
"  --initrd FILE   with --kernel: the initramfs\n"
"  --append LINE   with --kernel: the kernel command line, e.g.\n"
"                  \"console=ttyS0 reboot=k panic=-1 nolapic acpi=off pci=off\"\n"
"Devices: UART at 0x3f8 (output to stdout), debug exit at 0xf4.\n"
"Exit status: HLT 0; debug exit: the byte written; 124 unexpected exit;\n"
"125 set-up error.  With --kernel: 0 when the guest restarts through the\n"
"keyboard controller after an orderly shutdown, 120 when it does so\n"
"otherwise (a panic), 121 triple fault, 122 HLT with interrupts off,\n"
"123 Ctrl-A x typed on the terminal.\n");
}

uint64_t parse_num(const char *s, const char *what)
{
	char *end;
	uint64_t v = strtoull(s, &end, 0);

	if (end == s)
		goto bad;
	if (*end == 'K' || *end == 'k')
		v <<= 10, end++;
	else if (*end == 'M' || *end == 'm')
		v <<= 20, end++;
	else if (*end == 'G' || *end == 'g')
		v <<= 30, end++;
	if (*end)
		goto bad;
	return v;
bad:
	fprintf(stderr, "minikvm-run: bad %s '%s'\n", what, s);
	exit(EXIT_SETUP);
}

const char *exit_name(unsigned int r)
{
	static const char *const names[] = {
		[KVM_EXIT_UNKNOWN] = "UNKNOWN", [KVM_EXIT_EXCEPTION] = "EXCEPTION",
		[KVM_EXIT_IO] = "IO", [KVM_EXIT_HYPERCALL] = "HYPERCALL",
		[KVM_EXIT_DEBUG] = "DEBUG", [KVM_EXIT_HLT] = "HLT",
		[KVM_EXIT_MMIO] = "MMIO", [KVM_EXIT_IRQ_WINDOW_OPEN] = "IRQ_WINDOW_OPEN",
		[KVM_EXIT_SHUTDOWN] = "SHUTDOWN", [KVM_EXIT_FAIL_ENTRY] = "FAIL_ENTRY",
		[KVM_EXIT_INTR] = "INTR", [KVM_EXIT_INTERNAL_ERROR] = "INTERNAL_ERROR",
	};

	if (r < sizeof(names) / sizeof(names[0]) && names[r])
		return names[r];
	return "?";
}

static void dump_regs(int vcpu)
{
	struct kvm_regs r;
	struct kvm_sregs s;

	if (ioctl(vcpu, KVM_GET_REGS, &r) < 0 || ioctl(vcpu, KVM_GET_SREGS, &s) < 0) {
		perror("minikvm-run: reading registers");
		return;
	}
	fprintf(stderr,
		"  rax=%016llx rbx=%016llx rcx=%016llx rdx=%016llx\n"
		"  rsi=%016llx rdi=%016llx rsp=%016llx rbp=%016llx\n"
		"  rip=%016llx rflags=%08llx cs=%04x(base %llx) cr0=%08llx\n",
		r.rax, r.rbx, r.rcx, r.rdx, r.rsi, r.rdi, r.rsp, r.rbp,
		r.rip, r.rflags, s.cs.selector, s.cs.base, s.cr0);
}

void report_exit(int vcpu, struct kvm_run *run)
{
	fprintf(stderr, "minikvm-run: unexpected exit %s (%u)", exit_name(run->exit_reason),
		run->exit_reason);
	switch (run->exit_reason) {
	case KVM_EXIT_FAIL_ENTRY:
		fprintf(stderr, ": hardware entry failure reason %#llx on cpu %u",
			run->fail_entry.hardware_entry_failure_reason, run->fail_entry.cpu);
		break;
	case KVM_EXIT_INTERNAL_ERROR:
		if (run->internal.suberror == KVM_INTERNAL_ERROR_EMULATION) {
			unsigned int i, n = 0;

			if (run->emulation_failure.flags &
			    KVM_INTERNAL_ERROR_EMULATION_FLAG_INSTRUCTION_BYTES)
				n = run->emulation_failure.insn_size;
			fprintf(stderr, ": cannot emulate, address %#llx, bytes",
				run->internal.data[3]);
			for (i = 0; i < n && i < 15; i++)
				fprintf(stderr, " %02x", run->emulation_failure.insn_bytes[i]);
			break;
		}
		fprintf(stderr, ": suberror %u, data %#llx %#llx", run->internal.suberror,
			run->internal.data[0], run->internal.data[1]);
		break;
	case KVM_EXIT_MMIO:
		fprintf(stderr, ": %s of %u bytes at %#llx (no device there)",
			run->mmio.is_write ? "write" : "read", run->mmio.len,
			run->mmio.phys_addr);
		break;
	case KVM_EXIT_IO:
		fprintf(stderr, ": %s port %#x size %u", run->io.direction ? "out" : "in",
			run->io.port, run->io.size);
		break;
	}
	fprintf(stderr, "\n");
	dump_regs(vcpu);
}

int open_device(const char *path)
{
	int fd = open(path, O_RDWR | O_CLOEXEC);

	if (fd >= 0)
		return fd;
	if (errno == ENOENT && strstr(path, "minikvm"))
		fprintf(stderr, "minikvm-run: %s does not exist: minikvm.ko is not loaded "
			"(insmod minikvm.ko)\n", path);
	else
		fprintf(stderr, "minikvm-run: cannot open %s: %s\n", path, strerror(errno));
	exit(EXIT_SETUP);
}

/*
 * An ELF executable: every PT_LOAD segment at its physical address, and
 * the entry point.  Returns the ELF class, or 0 for a flat binary.
 */
static int load_elf(const char *path, const unsigned char *img, size_t len,
		    void *mem, size_t mem_size, uint64_t *entry)
{
	const Elf64_Ehdr *e64 = (const void *)img;
	const Elf32_Ehdr *e32 = (const void *)img;
	int cls, i, phnum;

	if (len < sizeof(Elf32_Ehdr) || memcmp(img, ELFMAG, SELFMAG))
		return 0;
	cls = img[EI_CLASS];
	phnum = cls == ELFCLASS64 ? e64->e_phnum : e32->e_phnum;
	*entry = cls == ELFCLASS64 ? e64->e_entry : e32->e_entry;
	for (i = 0; i < phnum; i++) {
		uint64_t off, paddr, filesz, memsz;
		uint32_t type;

		if (cls == ELFCLASS64) {
			const Elf64_Phdr *ph = (const void *)(img + e64->e_phoff) + i * sizeof(*ph);

			if (e64->e_phoff + (i + 1) * sizeof(*ph) > len)
				goto bad;
			type = ph->p_type; off = ph->p_offset; paddr = ph->p_paddr;
			filesz = ph->p_filesz; memsz = ph->p_memsz;
		} else {
			const Elf32_Phdr *ph = (const void *)(img + e32->e_phoff) + i * sizeof(*ph);

			if (e32->e_phoff + (i + 1) * sizeof(*ph) > len)
				goto bad;
			type = ph->p_type; off = ph->p_offset; paddr = ph->p_paddr;
			filesz = ph->p_filesz; memsz = ph->p_memsz;
		}
		if (type != PT_LOAD)
			continue;
		if (filesz > memsz || off + filesz > len || paddr + memsz > mem_size ||
		    paddr + memsz < paddr) {
			fprintf(stderr, "minikvm-run: %s: a segment does not fit in guest memory "
				"(use --mem)\n", path);
			exit(EXIT_SETUP);
		}
		memcpy((char *)mem + paddr, img + off, filesz);
		memset((char *)mem + paddr + filesz, 0, memsz - filesz);
	}
	return cls;
bad:
	fprintf(stderr, "minikvm-run: %s: truncated ELF program headers\n", path);
	exit(EXIT_SETUP);
}

void flat_segment(struct kvm_segment *s, uint16_t sel, uint8_t type, int code64)
{
	memset(s, 0, sizeof(*s));
	s->selector = sel;
	s->limit = 0xffffffff;
	s->type = type;
	s->present = 1;
	s->s = 1;
	s->g = 1;
	s->l = code64;
	s->db = !code64;
}

/*
 * Protected modes: a GDT (null, code, data), identity page tables over
 * all guest memory and a stack, in the last 64 KiB of guest memory.
 */
static void setup_protected(enum mode mode, void *mem, size_t mem_size,
			    struct kvm_sregs *s, struct kvm_regs *r)
{
	uint64_t sys = mem_size - 0x10000, pt = sys + 0x1000, i;
	uint64_t *gdt = (uint64_t *)((char *)mem + sys);

	gdt[0] = 0;
	gdt[1] = mode == MODE_LONG ? 0x00af9a000000ffffull : 0x00cf9a000000ffffull;
	gdt[2] = 0x00cf92000000ffffull;
	s->gdt.base = sys;
	s->gdt.limit = 23;
	flat_segment(&s->cs, 0x08, 0xb, mode == MODE_LONG);
	flat_segment(&s->ds, 0x10, 0x3, 0);
	s->es = s->fs = s->gs = s->ss = s->ds;
	s->cr0 = 0x11;		/* PE, ET */
	s->cr4 = 0;
	s->efer = 0;

	if (mode == MODE_PAGED) {		/* 4 MiB pages */
		uint32_t *pd = (uint32_t *)((char *)mem + pt);

		for (i = 0; i * (4 << 20) < mem_size && i < 1024; i++)
			pd[i] = i * (4 << 20) | 0x83;
		s->cr3 = pt;
		s->cr4 = 0x10;			/* PSE */
	} else if (mode == MODE_PAE || mode == MODE_LONG) {	/* 2 MiB pages */
		uint64_t *top = (uint64_t *)((char *)mem + pt);
		uint64_t *pd = (uint64_t *)((char *)mem + pt + 0x2000);

		for (i = 0; i * (2 << 20) < mem_size && i < 512; i++)
			pd[i] = i * (2 << 20) | 0x83;
		if (mode == MODE_PAE) {		/* a PDPT entry holds P only */
			top[0] = (pt + 0x2000) | 1;
		} else {			/* PML4 -> PDPT -> PD */
			uint64_t *pdpt = (uint64_t *)((char *)mem + pt + 0x1000);

			top[0] = (pt + 0x1000) | 3;
			pdpt[0] = (pt + 0x2000) | 3;
			s->efer = 0x500;	/* LME, LMA */
		}
		s->cr3 = pt;
		s->cr4 = 0x20;			/* PAE */
	}
	if (mode != MODE_PROT)
		s->cr0 |= 0x80000000;		/* PG */
	r->rsp = sys;
}

/* Handle one I/O exit; returns -1 to go on, else the exit status. */
static int handle_io(struct kvm_run *run)
{
	uint8_t *data = (uint8_t *)run + run->io.data_offset;

	if (run->io.direction == KVM_EXIT_IO_OUT && run->io.port == UART_BASE) {
		for (unsigned int i = 0; i < run->io.count; i++)
			putchar(data[i * run->io.size]);
		fflush(stdout);
		return -1;
	}
	if (run->io.direction == KVM_EXIT_IO_IN && run->io.port == UART_LSR) {
		memset(data, 0, run->io.size * run->io.count);
		data[0] = 0x60;		/* transmitter empty */
		return -1;
	}
	if (run->io.direction == KVM_EXIT_IO_OUT && run->io.port == DEBUG_EXIT_PORT)
		return data[0];
	if (run->io.direction == KVM_EXIT_IO_IN) {
		/* An absent device reads as all ones, like an ISA bus. */
		memset(data, 0xff, run->io.size * run->io.count);
		return -1;
	}
	return -1;	/* writes to absent devices vanish */
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "device", required_argument, NULL, 'd' },
		{ "mode", required_argument, NULL, 'M' },
		{ "mem", required_argument, NULL, 'm' },
		{ "load", required_argument, NULL, 'l' },
		{ "cs", required_argument, NULL, 'c' },
		{ "ip", required_argument, NULL, 'i' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "kernel", required_argument, NULL, 'K' },
		{ "initrd", required_argument, NULL, 'I' },
		{ "append", required_argument, NULL, 'A' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	struct opts o = { .device = "/dev/minikvm", .mem = 1 << 20, .load = 0x1000,
			  .ip = ~0u };
	struct linux_opts lo = { .cmdline = "" };
	bool flat_only = false, mem_given = false;
	struct kvm_userspace_memory_region region;
	struct kvm_sregs sregs;
	struct kvm_regs regs;
	struct kvm_run *run;
	struct stat st;
	int c, sys, vm, vcpu, img, status, elf_class;
	unsigned char *image;
	uint64_t entry = 0;
	long mmap_size;
	void *mem;

	while ((c = getopt_long(argc, argv, "d:M:m:l:c:i:vh", longopts, NULL)) != -1) {
		switch (c) {
		case 'd': o.device = optarg; break;
		case 'K': lo.kernel = optarg; break;
		case 'I': lo.initrd = optarg; break;
		case 'A': lo.cmdline = optarg; break;
		case 'M':
			for (o.mode = MODE_REAL; o.mode <= MODE_LONG; o.mode++)
				if (!strcmp(optarg, mode_names[o.mode]))
					break;
			if (o.mode > MODE_LONG) {
				fprintf(stderr, "minikvm-run: unknown mode '%s' (real, prot, "
					"paged, pae, long)\n", optarg);
				return EXIT_SETUP;
			}
			flat_only = true;
			break;
		case 'm': o.mem = parse_num(optarg, "memory size"); mem_given = true; break;
		case 'l': o.load = parse_num(optarg, "load address"); flat_only = true; break;
		case 'c': o.cs = parse_num(optarg, "code segment"); flat_only = true; break;
		case 'i': o.ip = parse_num(optarg, "offset"); flat_only = true; break;
		case 'v': o.verbose = 1; break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return EXIT_SETUP;
		}
	}
	if (lo.kernel) {
		if (flat_only || optind != argc) {
			fprintf(stderr, "minikvm-run: --kernel takes no IMAGE, --mode, --load, "
				"--cs or --ip\n");
			return EXIT_SETUP;
		}
		lo.device = o.device;
		lo.mem = mem_given ? o.mem : 256 << 20;
		lo.verbose = o.verbose;
		return linux_main(&lo);
	}
	if (lo.initrd || *lo.cmdline) {
		fprintf(stderr, "minikvm-run: --initrd and --append need --kernel\n");
		return EXIT_SETUP;
	}
	if (optind != argc - 1) {
		usage(stderr);
		return EXIT_SETUP;
	}
	o.image = argv[optind];
	if (o.ip == ~0u)
		o.ip = o.load - ((unsigned long)o.cs << 4);
	if (o.cs > 0xffff || o.ip > 0xffff) {
		fprintf(stderr, "minikvm-run: CS:IP %#x:%#x is not a real-mode address\n",
			o.cs, o.ip);
		return EXIT_SETUP;
	}

	img = open(o.image, O_RDONLY);
	if (img < 0 || fstat(img, &st) < 0) {
		fprintf(stderr, "minikvm-run: cannot read guest image %s: %s\n", o.image,
			strerror(errno));
		return EXIT_SETUP;
	}
	image = malloc(st.st_size + 1);
	if (!image || read(img, image, st.st_size) != st.st_size) {
		fprintf(stderr, "minikvm-run: short read of %s\n", o.image);
		return EXIT_SETUP;
	}
	if (o.mode != MODE_REAL && o.mem < (4 << 20)) {
		fprintf(stderr, "minikvm-run: guest memory too small: --mode %s needs 4M or "
			"more (use --mem)\n", mode_names[o.mode]);
		return EXIT_SETUP;
	}
	if (o.mem == 0 || o.mem % 4096 || o.load >= o.mem ||
	    (!memcmp(image, ELFMAG, SELFMAG) ? 0 : (unsigned long)st.st_size > o.mem - o.load)) {
		fprintf(stderr, "minikvm-run: guest memory too small: %lu bytes cannot hold "
			"%lld bytes at %#lx (use --mem, a multiple of 4096)\n",
			o.mem, (long long)st.st_size, o.load);
		return EXIT_SETUP;
	}

	sys = open_device(o.device);
	if (ioctl(sys, KVM_GET_API_VERSION, 0) != KVM_API_VERSION) {
		fprintf(stderr, "minikvm-run: %s speaks another API version\n", o.device);
		return EXIT_SETUP;
	}
	vm = ioctl(sys, KVM_CREATE_VM, 0);
	if (vm < 0) {
		fprintf(stderr, "minikvm-run: KVM_CREATE_VM: %s%s\n", strerror(errno),
			errno == EBUSY ? " (another hypervisor holds VT-x/AMD-V)" : "");
		return EXIT_SETUP;
	}
	mem = mmap(NULL, o.mem, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (mem == MAP_FAILED) {
		perror("minikvm-run: guest memory");
		return EXIT_SETUP;
	}
	elf_class = load_elf(o.image, image, st.st_size, mem, o.mem, &entry);
	if (!elf_class)
		memcpy((char *)mem + o.load, image, st.st_size);
	/* A flat binary may start in any mode; an ELF only in its own. */
	if ((elf_class == ELFCLASS64 && o.mode != MODE_LONG) ||
	    (elf_class == ELFCLASS32 && (o.mode == MODE_REAL || o.mode == MODE_LONG))) {
		fprintf(stderr, "minikvm-run: %s is a %d-bit ELF: it cannot start in --mode %s\n",
			o.image, elf_class == ELFCLASS64 ? 64 : 32, mode_names[o.mode]);
		return EXIT_SETUP;
	}
	region = (struct kvm_userspace_memory_region){
		.slot = 0, .guest_phys_addr = 0, .memory_size = o.mem,
		.userspace_addr = (unsigned long)mem,
	};
	if (ioctl(vm, KVM_SET_USER_MEMORY_REGION, &region) < 0) {
		perror("minikvm-run: KVM_SET_USER_MEMORY_REGION");
		return EXIT_SETUP;
	}
	vcpu = ioctl(vm, KVM_CREATE_VCPU, 0);
	mmap_size = ioctl(sys, KVM_GET_VCPU_MMAP_SIZE, 0);
	if (vcpu < 0 || mmap_size < (long)sizeof(*run)) {
		perror("minikvm-run: KVM_CREATE_VCPU");
		return EXIT_SETUP;
	}
	run = mmap(NULL, mmap_size, PROT_READ | PROT_WRITE, MAP_SHARED, vcpu, 0);
	if (run == MAP_FAILED) {
		perror("minikvm-run: mmap of kvm_run");
		return EXIT_SETUP;
	}

	if (ioctl(vcpu, KVM_GET_SREGS, &sregs) < 0) {
		perror("minikvm-run: KVM_GET_SREGS");
		return EXIT_SETUP;
	}
	memset(&regs, 0, sizeof(regs));
	regs.rflags = 2;
	if (o.mode == MODE_REAL) {
		sregs.cs.selector = o.cs;
		sregs.cs.base = (unsigned long)o.cs << 4;
		sregs.ds.selector = sregs.es.selector = sregs.ss.selector = o.cs;
		sregs.ds.base = sregs.es.base = sregs.ss.base = (unsigned long)o.cs << 4;
		regs.rip = o.ip;
		regs.rsp = 0xfffe;	/* top of the 64 KiB segment */
	} else {
		setup_protected(o.mode, mem, o.mem, &sregs, &regs);
		regs.rip = elf_class ? entry : o.load;
	}
	if (ioctl(vcpu, KVM_SET_SREGS, &sregs) < 0) {
		perror("minikvm-run: KVM_SET_SREGS");
		return EXIT_SETUP;
	}
	if (ioctl(vcpu, KVM_SET_REGS, &regs) < 0) {
		perror("minikvm-run: KVM_SET_REGS");
		return EXIT_SETUP;
	}

	for (;;) {
		if (ioctl(vcpu, KVM_RUN, 0) < 0) {
			if (errno == EINTR)
				continue;
			perror("minikvm-run: KVM_RUN");
			return EXIT_SETUP;
		}
		if (o.verbose)
			fprintf(stderr, "minikvm-run: exit %s\n", exit_name(run->exit_reason));
		switch (run->exit_reason) {
		case KVM_EXIT_HLT:
			return 0;
		case KVM_EXIT_IO:
			status = handle_io(run);
			if (status >= 0)
				return status;
			break;
		default:
			report_exit(vcpu, run);
			return EXIT_GUEST;
		}
	}
}
