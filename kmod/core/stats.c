// SPDX-License-Identifier: GPL-2.0
/*
 * Statistics in KVM's binary format (KVM_GET_STATS_FD in Linux's
 * Documentation/virt/kvm/api.rst), on the VM fd and on each vCPU fd, and
 * the same figures as text under /sys/kernel/debug/minikvm/vms/.
 *
 * A stats fd is a read-only file of four blocks laid end to end: the
 * header, the id string, the descriptors (each a struct kvm_stats_desc
 * with its name after it) and the data, the u64 values the descriptors
 * point into.  The first three are fixed while the module is loaded; the
 * data is read live, each read taking the values as they are then.
 *
 * Lifetimes: a stats fd holds a reference on its VM (mkvm_vm_get()).
 * vCPUs, and their counters, are freed only with their VM
 * (mkvm_vm_free()), so a vCPU's stats fd stays readable after the vCPU
 * fd and the VM fd are closed; the last close of any of them frees the
 * VM.  The debugfs files hold no reference: the VM's destruction removes
 * them before it frees anything, and debugfs waits for a reader inside.
 *
 * Counting costs plain u64 increments by the vCPU's thread, as in KVM,
 * and two local_clock() reads per exit for the times.
 */
#include <linux/anon_inodes.h>
#include <linux/bitops.h>
#include <linux/debugfs.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/minmax.h>
#include <linux/mm.h>
#include <linux/nospec.h>
#include <linux/sched.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#include "minikvm.h"

/*
 * A descriptor as the file holds it: the fields of struct kvm_stats_desc,
 * then the name in the room the header's name_size gives it (a copy of
 * the layout rather than the uapi structure, whose flexible name[] cannot
 * sit in an array; mkvm_stats_init() checks that the two agree).
 */
struct mkvm_stats_desc {
	u32 flags;
	s16 exponent;
	u16 size;
	u32 offset;
	u32 bucket_size;
	char name[MKVM_STATS_NAME_SIZE];
};

#define MKVM_STAT(st, field, type, unit, exp)				\
	{								\
		.flags = (type) | (unit) | KVM_STATS_BASE_POW10,	\
		.exponent = (exp),					\
		.size = 1,						\
		.offset = offsetof(st, field),				\
		.name = #field,						\
	}
/* A count since creation; a value now; a time in ns, as KVM's *_ns. */
#define MKVM_COUNTER(st, field)	\
	MKVM_STAT(st, field, KVM_STATS_TYPE_CUMULATIVE, KVM_STATS_UNIT_NONE, 0)
#define MKVM_INSTANT(st, field)	\
	MKVM_STAT(st, field, KVM_STATS_TYPE_INSTANT, KVM_STATS_UNIT_NONE, 0)
#define MKVM_TIME_NS(st, field)	\
	MKVM_STAT(st, field, KVM_STATS_TYPE_CUMULATIVE, KVM_STATS_UNIT_SECONDS, -9)

/*
 * The VM's data block, filled at each read: a few values live in the
 * TDP tables' own fields.
 */
struct mkvm_vm_stats_data {
	u64 remote_tlb_flush;
	u64 remote_tlb_flush_requests;
	u64 pages_4k;
	u64 tdp_tables;
};

/*
 * KVM's generic remote_tlb_flush and remote_tlb_flush_requests: minikvm
 * kicks every vCPU out of the guest on every request (mkvm_mmu_zap()),
 * so the two are equal.  pages_4k: 4 KiB mappings in the EPT/NPT tables
 * now, the only size minikvm maps (no pages_2m or pages_1g).  tdp_tables
 * is minikvm's own: the tables below the root.
 */
static const struct mkvm_stats_desc mkvm_vm_desc[] = {
	MKVM_COUNTER(struct mkvm_vm_stats_data, remote_tlb_flush),
	MKVM_COUNTER(struct mkvm_vm_stats_data, remote_tlb_flush_requests),
	MKVM_INSTANT(struct mkvm_vm_stats_data, pages_4k),
	MKVM_INSTANT(struct mkvm_vm_stats_data, tdp_tables),
};

static const struct kvm_stats_header mkvm_vm_header = {
	.name_size = MKVM_STATS_NAME_SIZE,
	.num_desc = ARRAY_SIZE(mkvm_vm_desc),
	.id_offset = sizeof(struct kvm_stats_header),
	.desc_offset = sizeof(struct kvm_stats_header) + MKVM_STATS_NAME_SIZE,
	.data_offset = sizeof(struct kvm_stats_header) + MKVM_STATS_NAME_SIZE +
		       sizeof(mkvm_vm_desc),
};

/* A vCPU's descriptors before those by exit reason; see struct mkvm_vcpu_stats. */
static const struct mkvm_stats_desc mkvm_vcpu_base_desc[] = {
	MKVM_COUNTER(struct mkvm_vcpu_stats, exits),
	MKVM_COUNTER(struct mkvm_vcpu_stats, io_exits),
	MKVM_COUNTER(struct mkvm_vcpu_stats, mmio_exits),
	MKVM_COUNTER(struct mkvm_vcpu_stats, halt_exits),
	MKVM_COUNTER(struct mkvm_vcpu_stats, irq_exits),
	MKVM_COUNTER(struct mkvm_vcpu_stats, signal_exits),
	MKVM_COUNTER(struct mkvm_vcpu_stats, irq_window_exits),
	MKVM_COUNTER(struct mkvm_vcpu_stats, nmi_window_exits),
	MKVM_COUNTER(struct mkvm_vcpu_stats, request_irq_exits),
	MKVM_COUNTER(struct mkvm_vcpu_stats, insn_emulation),
	MKVM_COUNTER(struct mkvm_vcpu_stats, irq_injections),
	MKVM_COUNTER(struct mkvm_vcpu_stats, nmi_injections),
	MKVM_COUNTER(struct mkvm_vcpu_stats, pf_taken),
	MKVM_COUNTER(struct mkvm_vcpu_stats, pf_fixed),
	MKVM_COUNTER(struct mkvm_vcpu_stats, l1d_flush),
	MKVM_COUNTER(struct mkvm_vcpu_stats, exception_injections),
	MKVM_COUNTER(struct mkvm_vcpu_stats, user_exits),
	MKVM_COUNTER(struct mkvm_vcpu_stats, migrations),
	MKVM_TIME_NS(struct mkvm_vcpu_stats, guest_time_ns),
};

/*
 * The vCPU's descriptors, built once the backend is known
 * (mkvm_stats_init()): the base ones, then per exit reason a counter
 * "exits_BACKEND_REASON" and a log2 histogram of the root-side time
 * "handle_BACKEND_REASON_hist", in the order of their data.
 *
 * One named counter per reason rather than one linear histogram indexed
 * by the raw reason: the readers of KVM's stats (QEMU's query-stats and
 * "info stats", KVM's selftests) show each descriptor by name,
 * so "exits_vmx_io_instruction 42" reads as it is, where bucket 30 of a
 * histogram would need the SDM at hand; SVM's codes are also too sparse
 * for a linear histogram (NPF is 0x400).  The names are those of KVM's
 * own kvm_exit tracepoint for VMX (the SDM's, Appendix C) and the APM's
 * VMEXIT_* names for SVM, lower case.
 */
static struct mkvm_stats_desc *mkvm_vcpu_desc;
static struct kvm_stats_header mkvm_vcpu_header;
/* The data they describe: struct mkvm_vcpu_stats up to the last slot used. */
static size_t mkvm_vcpu_data_size;
/* Raw exit code to its slot in struct mkvm_vcpu_stats's reason[]. */
static u8 mkvm_exit_slots[MKVM_STATS_CODES];
/* Names the per-VM debugfs directories: "PID-SERIAL". */
static atomic_t mkvm_vm_serial = ATOMIC_INIT(0);

static void mkvm_reason_desc(struct mkvm_stats_desc *d, unsigned int slot, const char *reason)
{
	size_t at = offsetof(struct mkvm_vcpu_stats, reason) +
		    slot * sizeof_field(struct mkvm_vcpu_stats, reason[0]);
	struct mkvm_stats_desc *count = d, *hist = d + 1;

	count->flags = KVM_STATS_TYPE_CUMULATIVE | KVM_STATS_UNIT_NONE |
		       KVM_STATS_BASE_POW10;
	count->size = 1;
	count->offset = at;
	WARN_ON(snprintf(count->name, sizeof(count->name), "exits_%s_%s",
			 mkvm_ops->name, reason) >= sizeof(count->name));

	/* As KVM's *_hist of times: ns, bucket i holds [2^(i-1), 2^i). */
	hist->flags = KVM_STATS_TYPE_LOG_HIST | KVM_STATS_UNIT_SECONDS |
		      KVM_STATS_BASE_POW10;
	hist->exponent = -9;
	hist->size = MKVM_STATS_HIST;
	hist->offset = at + sizeof(u64);
	WARN_ON(snprintf(hist->name, sizeof(hist->name), "handle_%s_%s_hist",
			 mkvm_ops->name, reason) >= sizeof(hist->name));
}

/**
 * mkvm_stats_init() - build the vCPU descriptors for the backend in use
 *
 * Called once, after the backend is chosen, before /dev/minikvm exists.
 *
 * Return: 0, -EINVAL for a backend whose exit table does not fit the
 * counters, -ENOMEM.
 */
int mkvm_stats_init(void)
{
	unsigned int base = ARRAY_SIZE(mkvm_vcpu_base_desc);
	struct mkvm_stats_desc *d;
	unsigned int i, nr = 1;	/* slot 0 is "other" */

	BUILD_BUG_ON(offsetof(struct mkvm_stats_desc, exponent) !=
		     offsetof(struct kvm_stats_desc, exponent));
	BUILD_BUG_ON(offsetof(struct mkvm_stats_desc, size) !=
		     offsetof(struct kvm_stats_desc, size));
	BUILD_BUG_ON(offsetof(struct mkvm_stats_desc, offset) !=
		     offsetof(struct kvm_stats_desc, offset));
	BUILD_BUG_ON(offsetof(struct mkvm_stats_desc, bucket_size) !=
		     offsetof(struct kvm_stats_desc, bucket_size));
	BUILD_BUG_ON(offsetof(struct mkvm_stats_desc, name) !=
		     offsetof(struct kvm_stats_desc, name));
	BUILD_BUG_ON(sizeof(*d) != sizeof(struct kvm_stats_desc) + MKVM_STATS_NAME_SIZE);
	if (WARN_ON(!mkvm_ops->exit_names))
		return -EINVAL;
	while (mkvm_ops->exit_names[nr - 1].name)
		nr++;
	if (WARN_ON(nr > MKVM_STATS_REASONS))
		return -EINVAL;
	d = kcalloc(base + 2 * nr, sizeof(*d), GFP_KERNEL);
	if (!d)
		return -ENOMEM;
	memcpy(d, mkvm_vcpu_base_desc, sizeof(mkvm_vcpu_base_desc));
	mkvm_reason_desc(&d[base], 0, "other");
	for (i = 1; i < nr; i++) {
		const struct mkvm_exit_name *e = &mkvm_ops->exit_names[i - 1];

		if (WARN_ON(e->code >= MKVM_STATS_CODES || mkvm_exit_slots[e->code])) {
			kfree(d);
			memset(mkvm_exit_slots, 0, sizeof(mkvm_exit_slots));
			return -EINVAL;
		}
		mkvm_exit_slots[e->code] = i;
		mkvm_reason_desc(&d[base + 2 * i], i, e->name);
	}

	mkvm_vcpu_desc = d;
	mkvm_vcpu_header = (struct kvm_stats_header) {
		.name_size = MKVM_STATS_NAME_SIZE,
		.num_desc = base + 2 * nr,
		.id_offset = sizeof(struct kvm_stats_header),
		.desc_offset = sizeof(struct kvm_stats_header) + MKVM_STATS_NAME_SIZE,
	};
	mkvm_vcpu_header.data_offset = mkvm_vcpu_header.desc_offset +
				       mkvm_vcpu_header.num_desc * sizeof(*d);
	mkvm_vcpu_data_size = offsetof(struct mkvm_vcpu_stats, reason) +
			      nr * sizeof_field(struct mkvm_vcpu_stats, reason[0]);
	return 0;
}

/**
 * mkvm_stats_exit() - free what mkvm_stats_init() built; no VM exists
 */
void mkvm_stats_exit(void)
{
	kfree(mkvm_vcpu_desc);
	mkvm_vcpu_desc = NULL;
}

/**
 * mkvm_stats_exited() - count the exit the backend's ->run() came back from
 * @vcpu: the vCPU, on its own thread; vcpu->exit_code is the raw reason
 * @entry_ns: local_clock() right before the entry
 * @exit_ns: local_clock() right after the exit, on the same CPU
 *
 * The exit's root-side time runs from @exit_ns until mkvm_stats_handled().
 */
void mkvm_stats_exited(struct mkvm_vcpu *vcpu, u64 entry_ns, u64 exit_ns)
{
	struct mkvm_vcpu_stats *st = vcpu->stats;
	u32 code = vcpu->exit_code;
	u8 slot = 0;

	if (code < MKVM_STATS_CODES)
		slot = mkvm_exit_slots[array_index_nospec(code, MKVM_STATS_CODES)];
	st->exits++;
	st->reason[slot].exits++;
	st->guest_time_ns += exit_ns - entry_ns;
	vcpu->stats_slot = slot;
	vcpu->stats_exit_ns = exit_ns;
	vcpu->stats_open = true;
}

/**
 * mkvm_stats_handled() - the root-side time of the last exit ends
 * @vcpu: the vCPU, on its own thread
 * @now_ns: local_clock() now: right before the next entry, or as KVM_RUN
 *	returns to userspace
 *
 * The time from the exit to here goes into the exit reason's histogram:
 * the handler, any EPT/NPT fault it asked for, and whatever the host did
 * on this thread meanwhile (interrupts, preemption).  Nothing happens
 * when no exit is open.  The thread may have changed CPUs, and
 * local_clock() may then go back a little: that counts as 0 ns.
 */
void mkvm_stats_handled(struct mkvm_vcpu *vcpu, u64 now_ns)
{
	s64 ns = now_ns - vcpu->stats_exit_ns;
	unsigned int bucket = 0;

	if (!vcpu->stats_open)
		return;
	vcpu->stats_open = false;
	/* Bucket 0 holds 0 ns, bucket i [2^(i-1), 2^i), the last the rest. */
	if (ns > 0)
		bucket = min_t(unsigned int, fls64(ns), MKVM_STATS_HIST - 1);
	vcpu->stats->reason[vcpu->stats_slot].hist[bucket]++;
}

/* What one stats fd shows: its blocks, in file order. */
struct mkvm_stats_view {
	const struct kvm_stats_header *header;
	const char *id;
	const struct mkvm_stats_desc *desc;
	const void *data;
	size_t data_size;
};

/*
 * Copy what the read wants of the block [@start, @start + @len) of the
 * file, from @src: the part from *@pos on, as far as *@left allows.
 */
static int mkvm_stats_copy(const void *src, loff_t start, size_t len,
			   char __user **buf, size_t *left, loff_t *pos)
{
	size_t skip, n;

	if (!*left || *pos < start || (u64)(*pos - start) >= len)
		return 0;
	skip = *pos - start;
	n = min(len - skip, *left);
	if (copy_to_user(*buf, src + skip, n))
		return -EFAULT;
	*buf += n;
	*left -= n;
	*pos += n;
	return 0;
}

/*
 * read() and pread() of a stats fd, as KVM's: from *@ppos, at most @size
 * bytes, short at the end of the data and 0 past it.  The blocks follow
 * each other with no gap (mkvm_stats_init(), mkvm_vm_header), so a read
 * that crosses from one into the next goes on in it.
 */
static ssize_t mkvm_stats_read(const struct mkvm_stats_view *v, char __user *buf,
			       size_t size, loff_t *ppos)
{
	const struct kvm_stats_header *h = v->header;
	size_t left = size;
	loff_t pos = *ppos;
	int r;

	if (pos < 0)
		return -EINVAL;
	r = mkvm_stats_copy(h, 0, sizeof(*h), &buf, &left, &pos);
	if (!r)
		r = mkvm_stats_copy(v->id, h->id_offset, h->name_size, &buf, &left, &pos);
	if (!r)
		r = mkvm_stats_copy(v->desc, h->desc_offset,
				    h->num_desc * sizeof(*v->desc), &buf, &left, &pos);
	if (!r)
		r = mkvm_stats_copy(v->data, h->data_offset, v->data_size, &buf, &left, &pos);
	if (r)
		return r;
	*ppos = pos;
	return size - left;
}

static void mkvm_vm_stats_snapshot(struct mkvm_vm *vm, struct mkvm_vm_stats_data *d)
{
	d->remote_tlb_flush = READ_ONCE(vm->stats.remote_tlb_flush);
	d->remote_tlb_flush_requests = d->remote_tlb_flush;
	d->pages_4k = READ_ONCE(vm->tdp.nr_leaves);
	d->tdp_tables = READ_ONCE(vm->tdp.nr_tables);
}

static ssize_t mkvm_vm_stats_read(struct file *file, char __user *buf, size_t size,
				  loff_t *ppos)
{
	struct mkvm_vm *vm = file->private_data;
	struct mkvm_vm_stats_data data;
	struct mkvm_stats_view v = {
		.header = &mkvm_vm_header, .id = vm->stats_id, .desc = mkvm_vm_desc,
		.data = &data, .data_size = sizeof(data),
	};

	mkvm_vm_stats_snapshot(vm, &data);
	return mkvm_stats_read(&v, buf, size, ppos);
}

static ssize_t mkvm_vcpu_stats_read(struct file *file, char __user *buf, size_t size,
				    loff_t *ppos)
{
	struct mkvm_vcpu *vcpu = file->private_data;
	struct mkvm_stats_view v = {
		.header = &mkvm_vcpu_header, .id = vcpu->stats_id, .desc = mkvm_vcpu_desc,
		.data = vcpu->stats, .data_size = mkvm_vcpu_data_size,
	};

	return mkvm_stats_read(&v, buf, size, ppos);
}

static int mkvm_vm_stats_release(struct inode *inode, struct file *file)
{
	struct mkvm_vm *vm = file->private_data;

	mkvm_vm_put(vm);
	return 0;
}

static int mkvm_vcpu_stats_release(struct inode *inode, struct file *file)
{
	struct mkvm_vcpu *vcpu = file->private_data;

	mkvm_vm_put(vcpu->vm);
	return 0;
}

static const struct file_operations mkvm_vm_stats_fops = {
	.owner		= THIS_MODULE,
	.read		= mkvm_vm_stats_read,
	.release	= mkvm_vm_stats_release,
	.llseek		= noop_llseek,
};

static const struct file_operations mkvm_vcpu_stats_fops = {
	.owner		= THIS_MODULE,
	.read		= mkvm_vcpu_stats_read,
	.release	= mkvm_vcpu_stats_release,
	.llseek		= noop_llseek,
};

/*
 * A read-only fd on @priv that holds a reference on @vm, as KVM's: no
 * write (EBADF), read() and pread() (FMODE_PREAD), lseek() moves nothing.
 */
static int mkvm_stats_fd(struct mkvm_vm *vm, const char *name,
			 const struct file_operations *fops, void *priv)
{
	struct file *file;
	int fd;

	fd = get_unused_fd_flags(O_CLOEXEC);
	if (fd < 0)
		return fd;
	file = anon_inode_getfile(name, fops, priv, O_RDONLY);
	if (IS_ERR(file)) {
		put_unused_fd(fd);
		return PTR_ERR(file);
	}
	file->f_mode |= FMODE_PREAD;
	/* Before the fd exists: its release drops this reference. */
	mkvm_vm_get(vm);
	fd_install(fd, file);
	return fd;
}

/**
 * mkvm_vm_stats_fd() - KVM_GET_STATS_FD on a VM fd
 * @vm: the VM
 *
 * Return: a new read-only fd of the VM's statistics, -EMFILE, -ENOMEM.
 */
int mkvm_vm_stats_fd(struct mkvm_vm *vm)
{
	return mkvm_stats_fd(vm, "minikvm-vm-stats", &mkvm_vm_stats_fops, vm);
}

/**
 * mkvm_vcpu_stats_fd() - KVM_GET_STATS_FD on a vCPU fd
 * @vcpu: the vCPU
 *
 * Return: a new read-only fd of the vCPU's statistics, -EMFILE, -ENOMEM.
 */
int mkvm_vcpu_stats_fd(struct mkvm_vcpu *vcpu)
{
	char name[32];

	snprintf(name, sizeof(name), "minikvm-vcpu-stats:%u", vcpu->id);
	return mkvm_stats_fd(vcpu->vm, name, &mkvm_vcpu_stats_fops, vcpu);
}

/*
 * debugfs: /sys/kernel/debug/minikvm/vms/PID-SERIAL/vm and .../vcpuID,
 * each line "name value" for a statistic that is not 0, a histogram
 * bucket as "name[i] count".
 */
static void mkvm_stats_show(struct seq_file *m, const struct mkvm_stats_desc *desc,
			    unsigned int n, const void *data)
{
	unsigned int i, j;

	for (i = 0; i < n; i++) {
		const u64 *v = data + desc[i].offset;

		for (j = 0; j < desc[i].size; j++) {
			u64 val = READ_ONCE(v[j]);

			if (!val)
				continue;
			if (desc[i].size == 1)
				seq_printf(m, "%s %llu\n", desc[i].name, val);
			else
				seq_printf(m, "%s[%u] %llu\n", desc[i].name, j, val);
		}
	}
}

static int mkvm_vm_summary_show(struct seq_file *m, void *unused)
{
	struct mkvm_vm_stats_data data;

	mkvm_vm_stats_snapshot(m->private, &data);
	mkvm_stats_show(m, mkvm_vm_desc, ARRAY_SIZE(mkvm_vm_desc), &data);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(mkvm_vm_summary);

static int mkvm_vcpu_summary_show(struct seq_file *m, void *unused)
{
	struct mkvm_vcpu *vcpu = m->private;

	mkvm_stats_show(m, mkvm_vcpu_desc, mkvm_vcpu_header.num_desc, vcpu->stats);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(mkvm_vcpu_summary);

/**
 * mkvm_stats_vm_init() - a new VM's stats id and debugfs directory
 * @vm: the VM, not reachable from userspace yet
 *
 * The debugfs part may fail silently, as debugfs wants.
 */
void mkvm_stats_vm_init(struct mkvm_vm *vm)
{
	struct dentry *vms = mkvm_debugfs_vms();
	pid_t pid = task_pid_nr(current);
	char name[32];

	snprintf(vm->stats_id, sizeof(vm->stats_id), "minikvm-%d", pid);
	if (IS_ERR_OR_NULL(vms))
		return;
	snprintf(name, sizeof(name), "%d-%u", pid, atomic_inc_return(&mkvm_vm_serial));
	vm->debugfs = debugfs_create_dir(name, vms);
	debugfs_create_file("vm", 0444, vm->debugfs, vm, &mkvm_vm_summary_fops);
}

/**
 * mkvm_stats_vm_destroy() - remove the VM's debugfs directory
 * @vm: the VM, being destroyed; its vCPUs still exist
 *
 * Waits for readers of its files to leave them.
 */
void mkvm_stats_vm_destroy(struct mkvm_vm *vm)
{
	debugfs_remove_recursive(vm->debugfs);
	vm->debugfs = NULL;
}

/**
 * mkvm_stats_vcpu_init() - a new vCPU's counters and stats id
 * @vcpu: the vCPU, with its id and VM set
 *
 * Return: 0 or -ENOMEM.  mkvm_stats_vcpu_free() undoes it.
 */
int mkvm_stats_vcpu_init(struct mkvm_vcpu *vcpu)
{
	vcpu->stats = kvzalloc(sizeof(*vcpu->stats), GFP_KERNEL_ACCOUNT);
	if (!vcpu->stats)
		return -ENOMEM;
	snprintf(vcpu->stats_id, sizeof(vcpu->stats_id), "%s/vcpu-%u",
		 vcpu->vm->stats_id, vcpu->id);
	return 0;
}

/**
 * mkvm_stats_vcpu_debugfs() - the vCPU's summary file in its VM's directory
 * @vcpu: the vCPU, fully created
 */
void mkvm_stats_vcpu_debugfs(struct mkvm_vcpu *vcpu)
{
	char name[16];

	if (IS_ERR_OR_NULL(vcpu->vm->debugfs))
		return;
	snprintf(name, sizeof(name), "vcpu%u", vcpu->id);
	debugfs_create_file(name, 0444, vcpu->vm->debugfs, vcpu, &mkvm_vcpu_summary_fops);
}

/**
 * mkvm_stats_vcpu_free() - free the vCPU's counters
 * @vcpu: the vCPU; no stats fd or debugfs file can reach it any more
 */
void mkvm_stats_vcpu_free(struct mkvm_vcpu *vcpu)
{
	kvfree(vcpu->stats);
	vcpu->stats = NULL;
}
