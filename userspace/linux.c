// SPDX-License-Identifier: GPL-2.0
/*
 * minikvm-run --kernel: boot Linux on a PC made of legacy devices, with
 * the KVM API and no in-kernel irqchip (Documentation/launcher.rst).
 *
 * The interrupt controller is the launcher's (pic.c).  Before each
 * KVM_RUN the vCPU thread looks at the PIC's INT output: if it is raised
 * and kvm_run.ready_for_interrupt_injection says the vCPU can take an
 * external interrupt, the vector goes in with KVM_INTERRUPT and the PIC
 * is acknowledged; if it is raised but the vCPU cannot take it (IF clear,
 * an interrupt shadow, one already queued), request_interrupt_window asks
 * KVM_RUN to return with KVM_EXIT_IRQ_WINDOW_OPEN as soon as it can.
 * KVM_EXIT_HLT (the guest's idle HLT; KVM ends KVM_RUN there when it has
 * no local APIC to wait on) sleeps until the PIC raises INT.
 *
 * Threads and locking.  Two threads: the vCPU thread (the main thread)
 * runs KVM_RUN and the guest's port I/O; the I/O thread waits in poll()
 * for the PIT's timerfd and for stdin and raises IRQ 0 and IRQ 4.  All
 * device state (the PIC, PIT, UART, RTC, i8042) and the fields below
 * marked "lock" are under one mutex, m->lock; the device models have no
 * locking of their own.  The vCPU thread does not hold it during
 * KVM_RUN.  When the I/O thread raises the PIC's INT while the vCPU
 * thread is in KVM_RUN (m->in_run, set under the lock together with the
 * window request), it kicks it with SIGUSR1: KVM_RUN returns -EINTR
 * (KVM_EXIT_INTR) and the loop injects.  The kick cannot be lost: either
 * SIGUSR1 is blocked outside KVM_RUN and unblocked inside it by
 * KVM_SET_SIGNAL_MASK, so that a kick sent just before KVM_RUN stays
 * pending and ends it at once (the thread's own mask blocks it again when
 * KVM_RUN returns, so the handler never runs: the loop consumes the
 * pending signal with sigtimedwait(), else every KVM_RUN would end at
 * once); or, on a device without that ioctl, the handler sets
 * kvm_run.immediate_exit, which KVM_RUN checks on entry.
 * A vCPU thread asleep after HLT waits on m->irq_cond instead.
 */
#include "launcher.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/timerfd.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "bzimage.h"
#include "cpuid.h"
#include "i8042.h"
#include "pic.h"
#include "pit.h"
#include "rtc.h"
#include "uart.h"

#define TSS_ADDR		0xfffbd000ul	/* three pages, below 4 GiB */
#define MAX_MEM			(3ull << 30)	/* RAM stays below the 32-bit MMIO hole */
#define DEBUG_EXIT_PORT		0xf4
#define POST_PORT		0x80
#define MAX_MMIO_ADDRS		16
#define ESCAPE_CHAR		0x01		/* Ctrl-A */

enum kick_mode { KICK_SIGNAL_MASK, KICK_IMMEDIATE_EXIT, KICK_SIGNAL_ONLY };

struct machine {
	pthread_mutex_t lock;
	pthread_cond_t irq_cond;	/* the PIC's INT rose, or the run ends */

	struct pic pic;			/* lock */
	struct pit pit;			/* lock */
	struct uart uart;		/* lock */
	struct rtc rtc;			/* lock */
	struct i8042 kbd;		/* lock */

	int sys_fd, vm_fd, vcpu_fd;
	struct kvm_run *run;
	pthread_t vcpu_thread;
	enum kick_mode kick_mode;
	bool in_run;			/* lock: the vCPU thread is in KVM_RUN */
	int stop_status;		/* lock: >= 0 ends the run with it */

	int timer_fd;			/* PIT channel 0's next OUT edge */
	int wake_fd;			/* eventfd: the I/O thread re-polls */
	bool io_polls_stdin;		/* lock */
	bool stdin_eof;			/* lock */
	bool escape;			/* I/O thread only: Ctrl-A seen */
	uint8_t held[2 * UART_FIFO_SIZE];	/* lock: read, not yet in the FIFO */
	unsigned int nheld;		/* lock */
	bool tty;			/* stdin is a terminal in raw mode */

	int verbose;
	uint64_t start_ns, first_tx_ns;	/* CLOCK_MONOTONIC */
	uint64_t exits[KVM_EXIT_INTERNAL_ERROR + 1], injected;
	uint32_t unclaimed_in[65536], unclaimed_out[65536];	/* lock */
	uint64_t mmio_addr[MAX_MMIO_ADDRS];
	uint32_t mmio_count[MAX_MMIO_ADDRS], mmio_other;
};

/* One machine per process: the signal handlers need to find it. */
static struct machine machine;
static struct termios saved_tty;
static volatile sig_atomic_t tty_raw;

static uint64_t clock_ns(clockid_t id)
{
	struct timespec ts;

	clock_gettime(id, &ts);
	return ts.tv_sec * 1000000000ull + ts.tv_nsec;
}

static uint64_t mono_ns(void *opaque)
{
	(void)opaque;
	return clock_ns(CLOCK_MONOTONIC);
}

static uint64_t real_ns(void *opaque)
{
	(void)opaque;
	return clock_ns(CLOCK_REALTIME);
}

/* ---- the terminal ---- */

static void tty_restore(void)
{
	if (tty_raw) {
		tcsetattr(STDIN_FILENO, TCSANOW, &saved_tty);
		tty_raw = 0;
	}
}

/* A signal that ends the launcher: give the terminal back first. */
static void fatal_signal(int sig)
{
	tty_restore();
	raise(sig);	/* SA_RESETHAND made its action the default again */
}

/*
 * Raw input so that every key goes to the guest, Ctrl-C included; output
 * processing stays on, so the launcher's own messages keep their lines.
 */
static void tty_setup(struct machine *m)
{
	static const int sigs[] = { SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGPIPE,
				    SIGABRT, SIGSEGV, SIGBUS, SIGFPE, SIGILL };
	struct sigaction sa = { .sa_handler = fatal_signal,
				.sa_flags = SA_RESETHAND | SA_NODEFER };
	struct termios t;
	unsigned int i;

	for (i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
		sigaction(sigs[i], &sa, NULL);
	if (!isatty(STDIN_FILENO) || tcgetattr(STDIN_FILENO, &saved_tty) < 0)
		return;
	t = saved_tty;
	t.c_iflag &= ~(IGNBRK | BRKINT | PARMRK | ISTRIP | INLCR | IGNCR | ICRNL | IXON);
	t.c_lflag &= ~(ECHO | ECHONL | ICANON | ISIG | IEXTEN);
	t.c_cc[VMIN] = 1;
	t.c_cc[VTIME] = 0;
	atexit(tty_restore);
	if (tcsetattr(STDIN_FILENO, TCSANOW, &t) == 0) {
		tty_raw = 1;
		m->tty = true;
	}
}

/* ---- interrupts ---- */

static void kick_handler(int sig)
{
	(void)sig;
	if (machine.kick_mode == KICK_IMMEDIATE_EXIT)
		machine.run->immediate_exit = 1;
}

/*
 * After a kick with KVM_SET_SIGNAL_MASK: SIGUSR1 is pending and blocked;
 * take it, or the next KVM_RUN ends at once again.
 */
static void consume_kicks(void)
{
	struct timespec zero = { 0 };
	sigset_t usr1;

	sigemptyset(&usr1);
	sigaddset(&usr1, SIGUSR1);
	while (sigtimedwait(&usr1, NULL, &zero) == SIGUSR1)
		;
}

/* Wake the vCPU thread for a new interrupt or the end.  Lock held. */
static void wake_vcpu(struct machine *m)
{
	pthread_cond_broadcast(&m->irq_cond);
	if (m->in_run && !pthread_equal(pthread_self(), m->vcpu_thread))
		pthread_kill(m->vcpu_thread, SIGUSR1);
}

/* Drive an IRQ line; wake the vCPU if the PIC's INT rose.  Lock held. */
static void set_irq(struct machine *m, unsigned int irq, int level)
{
	bool was = pic_has_interrupt(&m->pic);

	pic_set_irq(&m->pic, irq, level);
	if (!was && pic_has_interrupt(&m->pic))
		wake_vcpu(m);
}

static void stop(struct machine *m, int status)
{
	if (m->stop_status < 0)
		m->stop_status = status;
	wake_vcpu(m);
}

/* ---- device callbacks (lock held) ---- */

static void pit_pulse_irq0(void *opaque)
{
	set_irq(opaque, 0, 1);
	set_irq(opaque, 0, 0);
}

static void pit_rearm(void *opaque)
{
	struct machine *m = opaque;
	struct itimerspec its = { 0 };
	uint64_t t = pit_next_event(&m->pit);

	if (t) {
		its.it_value.tv_sec = t / 1000000000u;
		its.it_value.tv_nsec = t % 1000000000u;
	}
	timerfd_settime(m->timer_fd, TFD_TIMER_ABSTIME, &its, NULL);
}

static void uart_tx(void *opaque, uint8_t byte)
{
	struct machine *m = opaque;

	if (!m->first_tx_ns)
		m->first_tx_ns = clock_ns(CLOCK_MONOTONIC);
	while (write(STDOUT_FILENO, &byte, 1) < 0 && (errno == EINTR || errno == EAGAIN))
		;
}

static void uart_irq(void *opaque, int level)
{
	set_irq(opaque, UART_COM1_IRQ, level);
}

/*
 * Command 0xfe to the keyboard controller.  Linux's orderly restart
 * (kernel_restart()) runs syscore_shutdown() first, whose i8259A_shutdown()
 * masks every PIC input; an emergency restart (a panic with panic=-1)
 * does not.  That tells a clean "reboot -f" from a panic.
 */
static void kbd_reset(void *opaque)
{
	struct machine *m = opaque;
	bool orderly = m->pic.chip[0].imr == 0xff && m->pic.chip[1].imr == 0xff;

	if (m->verbose || !orderly)
		fprintf(stderr, "minikvm-run: the guest reset the machine through the "
			"keyboard controller%s\n", orderly ? "" :
			" without an orderly shutdown (a panic?)");
	stop(m, orderly ? 0 : EXIT_RESET_UNCLEAN);
}

/* ---- port and MMIO accesses (vCPU thread) ---- */

/* The I/O thread has input to give or fetch for the guest.  Lock held. */
static bool stdin_wanted(struct machine *m)
{
	return uart_guest_listens(&m->uart) && uart_rx_room(&m->uart) > 0;
}

/* One byte-wide port access.  Lock held. */
static void port_io(struct machine *m, uint16_t port, bool is_write, uint8_t *val)
{
	if (port == DEBUG_EXIT_PORT && is_write) {
		stop(m, *val);
		return;
	}
	if (port == POST_PORT) {	/* POST codes and I/O delays: nothing */
		if (!is_write)
			*val = 0xff;
		return;
	}
	if (uart_io(&m->uart, port, is_write, val)) {
		/* The guest made room or opened the port: read stdin again. */
		if (!m->io_polls_stdin && (!m->stdin_eof || m->nheld) && stdin_wanted(m)) {
			uint64_t one = 1;

			if (write(m->wake_fd, &one, sizeof(one)) < 0)
				perror("minikvm-run: eventfd");
		}
		return;
	}
	if (pic_io(&m->pic, port, is_write, val) || pit_io(&m->pit, port, is_write, val) ||
	    rtc_io(&m->rtc, port, is_write, val) || i8042_io(&m->kbd, port, is_write, val))
		return;
	/* No device: reads float to all ones, writes vanish (an ISA bus). */
	if (is_write) {
		m->unclaimed_out[port]++;
	} else {
		m->unclaimed_in[port]++;
		*val = 0xff;
	}
}

/*
 * KVM_EXIT_IO: COUNT items of SIZE bytes (more than one for INS/OUTS).
 * The devices are byte-wide; a wider access reaches consecutive ports,
 * as the ISA bus splits it.
 */
static void handle_io(struct machine *m)
{
	struct kvm_run *run = m->run;
	uint8_t *data = (uint8_t *)run + run->io.data_offset;
	bool is_write = run->io.direction == KVM_EXIT_IO_OUT;
	unsigned int i, b;

	pthread_mutex_lock(&m->lock);
	for (i = 0; i < run->io.count; i++)
		for (b = 0; b < run->io.size; b++)
			port_io(m, run->io.port + b, is_write, &data[i * run->io.size + b]);
	pthread_mutex_unlock(&m->lock);
}

/* There is no MMIO device: reads are all ones, writes vanish; counted. */
static void handle_mmio(struct machine *m)
{
	struct kvm_run *run = m->run;
	int i;

	if (!run->mmio.is_write)
		memset(run->mmio.data, 0xff, sizeof(run->mmio.data));
	for (i = 0; i < MAX_MMIO_ADDRS; i++) {
		if (m->mmio_count[i] && m->mmio_addr[i] != run->mmio.phys_addr)
			continue;
		m->mmio_addr[i] = run->mmio.phys_addr;
		m->mmio_count[i]++;
		return;
	}
	m->mmio_other++;
}

/* ---- the I/O thread ---- */

/* Move held bytes into the receive FIFO as far as it has room.  Lock held. */
static void flush_held(struct machine *m)
{
	unsigned int n = 0;

	while (n < m->nheld && uart_rx_room(&m->uart) > 0)
		uart_rx_push(&m->uart, m->held[n++]);
	memmove(m->held, m->held + n, m->nheld - n);
	m->nheld -= n;
}

/*
 * Bytes typed or piped in (at most the FIFO's room), for the UART; on a
 * terminal Ctrl-A x quits and Ctrl-A Ctrl-A sends one Ctrl-A.  Lock held.
 */
static void stdin_bytes(struct machine *m, const uint8_t *buf, ssize_t n)
{
	ssize_t i;

	for (i = 0; i < n; i++) {
		if (m->tty && m->escape) {
			m->escape = false;
			if (buf[i] == 'x' || buf[i] == 'X') {
				fprintf(stderr, "\r\nminikvm-run: quit (Ctrl-A x)\r\n");
				stop(m, EXIT_USER_QUIT);
				return;
			}
			if (buf[i] != ESCAPE_CHAR)
				m->held[m->nheld++] = ESCAPE_CHAR;
		} else if (m->tty && buf[i] == ESCAPE_CHAR) {
			m->escape = true;
			continue;
		}
		m->held[m->nheld++] = buf[i];
	}
	flush_held(m);
}

static void *io_thread(void *opaque)
{
	struct machine *m = opaque;
	struct pollfd pfd[3];
	uint8_t buf[UART_FIFO_SIZE];
	unsigned int room = 0;
	uint64_t count;
	ssize_t n;
	int nfds;

	for (;;) {
		/*
		 * Read stdin only when the guest listens and the FIFO has room
		 * for what was read before; else the vCPU thread wakes us up
		 * through wake_fd when that changes.
		 */
		pthread_mutex_lock(&m->lock);
		if (uart_guest_listens(&m->uart))
			flush_held(m);
		m->io_polls_stdin = !m->stdin_eof && !m->nheld && stdin_wanted(m);
		room = uart_rx_room(&m->uart);
		pthread_mutex_unlock(&m->lock);

		pfd[0] = (struct pollfd){ .fd = m->timer_fd, .events = POLLIN };
		pfd[1] = (struct pollfd){ .fd = m->wake_fd, .events = POLLIN };
		nfds = 2;
		if (m->io_polls_stdin)
			pfd[nfds++] = (struct pollfd){ .fd = STDIN_FILENO, .events = POLLIN };
		if (poll(pfd, nfds, -1) < 0) {
			if (errno == EINTR)
				continue;
			perror("minikvm-run: poll");
			return NULL;
		}
		if (pfd[0].revents & POLLIN) {
			if (read(m->timer_fd, &count, sizeof(count)) < 0 && errno != EAGAIN)
				perror("minikvm-run: timerfd");
			pthread_mutex_lock(&m->lock);
			pit_update(&m->pit);
			pit_rearm(m);
			pthread_mutex_unlock(&m->lock);
		}
		if ((pfd[1].revents & POLLIN) && read(m->wake_fd, &count, sizeof(count)) < 0)
			perror("minikvm-run: eventfd");
		if (nfds == 3 && pfd[2].revents) {
			/* At most what the FIFO takes: the rest waits in the pipe. */
			n = read(STDIN_FILENO, buf, room < sizeof(buf) ? room : sizeof(buf));
			if (n < 0 && (errno == EINTR || errno == EAGAIN))
				continue;
			pthread_mutex_lock(&m->lock);
			if (n <= 0)
				m->stdin_eof = true;	/* EOF or error: stop reading */
			else
				stdin_bytes(m, buf, n);
			pthread_mutex_unlock(&m->lock);
		}
	}
	return NULL;
}

/* ---- set-up ---- */

/*
 * How to kick the vCPU thread out of KVM_RUN: KVM_SET_SIGNAL_MASK if the
 * device has it, else immediate_exit (KVM_CAP_IMMEDIATE_EXIT), else a
 * bare signal (a kick just before KVM_RUN then waits for the next exit).
 */
static void setup_kick(struct machine *m)
{
	struct sigaction sa = { .sa_handler = kick_handler };
	struct {
		struct kvm_signal_mask h;
		uint8_t set[8];		/* the kernel's sigset_t on x86-64 */
	} mask;
	sigset_t block, during_run;

	sigemptyset(&sa.sa_mask);
	sigaction(SIGUSR1, &sa, NULL);
	sigemptyset(&block);
	sigaddset(&block, SIGUSR1);
	pthread_sigmask(SIG_BLOCK, &block, NULL);
	pthread_sigmask(SIG_BLOCK, NULL, &during_run);
	sigdelset(&during_run, SIGUSR1);
	mask.h.len = sizeof(mask.set);
	memcpy(mask.set, &during_run, sizeof(mask.set));
	if (ioctl(m->vcpu_fd, KVM_SET_SIGNAL_MASK, &mask) == 0) {
		m->kick_mode = KICK_SIGNAL_MASK;
		return;
	}
	if (m->verbose)
		fprintf(stderr, "minikvm-run: KVM_SET_SIGNAL_MASK: %s; kicking with "
			"immediate_exit instead\n", strerror(errno));
	pthread_sigmask(SIG_UNBLOCK, &block, NULL);
	if (ioctl(m->sys_fd, KVM_CHECK_EXTENSION, KVM_CAP_IMMEDIATE_EXIT) > 0) {
		m->kick_mode = KICK_IMMEDIATE_EXIT;
	} else {
		m->kick_mode = KICK_SIGNAL_ONLY;
		if (m->verbose)
			fprintf(stderr, "minikvm-run: warning: neither KVM_SET_SIGNAL_MASK nor "
				"KVM_CAP_IMMEDIATE_EXIT: interrupts may wait for the next exit\n");
	}
}

static int setup_vm(struct machine *m, const struct linux_opts *o, struct linux_boot *boot)
{
	struct kvm_userspace_memory_region region;
	struct kvm_sregs sregs;
	struct kvm_regs regs;
	long mmap_size;
	void *mem;

	if (o->mem < (2 << 20) || o->mem > MAX_MEM || o->mem % 4096) {
		fprintf(stderr, "minikvm-run: --mem %llu: the Linux mode takes up to 3G, "
			"a multiple of 4096 (RAM stays below the 32-bit MMIO hole)\n",
			(unsigned long long)o->mem);
		return -1;
	}
	m->sys_fd = open_device(o->device);
	if (ioctl(m->sys_fd, KVM_GET_API_VERSION, 0) != KVM_API_VERSION) {
		fprintf(stderr, "minikvm-run: %s speaks another API version\n", o->device);
		return -1;
	}
	m->vm_fd = ioctl(m->sys_fd, KVM_CREATE_VM, 0);
	if (m->vm_fd < 0) {
		fprintf(stderr, "minikvm-run: KVM_CREATE_VM: %s%s\n", strerror(errno),
			errno == EBUSY ? " (another hypervisor holds VT-x/AMD-V)" : "");
		return -1;
	}
	/*
	 * Intel's VMX needs three pages for a real-mode TSS; KVM asks for
	 * them before the first vCPU.  Not fatal where the ioctl is missing.
	 */
	if (ioctl(m->vm_fd, KVM_SET_TSS_ADDR, TSS_ADDR) < 0) {
		if (errno != ENOTTY && errno != EINVAL) {
			perror("minikvm-run: KVM_SET_TSS_ADDR");
			return -1;
		}
		if (o->verbose)
			fprintf(stderr, "minikvm-run: KVM_SET_TSS_ADDR: %s (ignored)\n",
				strerror(errno));
	}

	mem = mmap(NULL, o->mem, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (mem == MAP_FAILED) {
		perror("minikvm-run: guest memory");
		return -1;
	}
	if (bzimage_load(o, mem, o->mem, boot) < 0)
		return -1;
	region = (struct kvm_userspace_memory_region){
		.slot = 0, .guest_phys_addr = 0, .memory_size = o->mem,
		.userspace_addr = (unsigned long)mem,
	};
	if (ioctl(m->vm_fd, KVM_SET_USER_MEMORY_REGION, &region) < 0) {
		perror("minikvm-run: KVM_SET_USER_MEMORY_REGION");
		return -1;
	}

	m->vcpu_fd = ioctl(m->vm_fd, KVM_CREATE_VCPU, 0);
	mmap_size = ioctl(m->sys_fd, KVM_GET_VCPU_MMAP_SIZE, 0);
	if (m->vcpu_fd < 0 || mmap_size < (long)sizeof(*m->run)) {
		perror("minikvm-run: KVM_CREATE_VCPU");
		return -1;
	}
	m->run = mmap(NULL, mmap_size, PROT_READ | PROT_WRITE, MAP_SHARED, m->vcpu_fd, 0);
	if (m->run == MAP_FAILED) {
		perror("minikvm-run: mmap of kvm_run");
		return -1;
	}
	if (cpuid_setup(m->sys_fd, m->vcpu_fd, o->verbose) < 0)
		return -1;

	if (ioctl(m->vcpu_fd, KVM_GET_SREGS, &sregs) < 0) {
		perror("minikvm-run: KVM_GET_SREGS");
		return -1;
	}
	bzimage_vcpu_state(boot, &sregs, &regs);
	if (ioctl(m->vcpu_fd, KVM_SET_SREGS, &sregs) < 0) {
		perror("minikvm-run: KVM_SET_SREGS");
		return -1;
	}
	if (ioctl(m->vcpu_fd, KVM_SET_REGS, &regs) < 0) {
		perror("minikvm-run: KVM_SET_REGS");
		return -1;
	}
	return 0;
}

static int setup_devices(struct machine *m, const struct linux_opts *o)
{
	pthread_mutex_init(&m->lock, NULL);
	pthread_cond_init(&m->irq_cond, NULL);
	m->timer_fd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK);
	m->wake_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (m->timer_fd < 0 || m->wake_fd < 0) {
		perror("minikvm-run: timerfd/eventfd");
		return -1;
	}
	pic_init(&m->pic);
	pit_init(&m->pit, mono_ns, pit_pulse_irq0, pit_rearm, m);
	uart_init(&m->uart, UART_COM1, uart_tx, uart_irq, m);
	rtc_init(&m->rtc, o->mem, real_ns, NULL);
	i8042_init(&m->kbd, kbd_reset, m);
	return 0;
}

/* ---- the vCPU loop ---- */

/* An interrupt for a vCPU that can take one.  Lock held. */
static void inject(struct machine *m)
{
	struct kvm_interrupt irq = { .irq = pic_peek_vector(&m->pic) };

	if (ioctl(m->vcpu_fd, KVM_INTERRUPT, &irq) < 0) {
		/* Queued already: the PIC keeps it and a window is asked for. */
		if (errno == EEXIST)
			return;
		perror("minikvm-run: KVM_INTERRUPT");
		stop(m, EXIT_GUEST);
		return;
	}
	pic_ack(&m->pic);
	m->injected++;
}

/* HLT: the guest waits for an interrupt; none can come with IF clear. */
static void halt(struct machine *m)
{
	struct kvm_regs regs;

	if (!m->run->if_flag) {
		/* Confirm: a device that left if_flag out would end every boot here. */
		if (ioctl(m->vcpu_fd, KVM_GET_REGS, &regs) == 0 && (regs.rflags & 0x200)) {
			if (m->verbose)
				fprintf(stderr, "minikvm-run: warning: kvm_run.if_flag is 0 "
					"at HLT but RFLAGS.IF is set\n");
		} else {
			fprintf(stderr, "minikvm-run: the guest halted with interrupts off\n");
			pthread_mutex_lock(&m->lock);
			stop(m, EXIT_HALTED);
			pthread_mutex_unlock(&m->lock);
			return;
		}
	}
	pthread_mutex_lock(&m->lock);
	while (!pic_has_interrupt(&m->pic) && m->stop_status < 0)
		pthread_cond_wait(&m->irq_cond, &m->lock);
	pthread_mutex_unlock(&m->lock);
}

static int run_vcpu(struct machine *m)
{
	struct kvm_run *run = m->run;
	int status;
	bool pending;

	for (;;) {
		pthread_mutex_lock(&m->lock);
		if (m->stop_status >= 0) {
			status = m->stop_status;
			pthread_mutex_unlock(&m->lock);
			return status;
		}
		pending = pic_has_interrupt(&m->pic);
		if (pending && run->ready_for_interrupt_injection) {
			inject(m);
			pending = pic_has_interrupt(&m->pic);
		}
		run->request_interrupt_window = pending;
		m->in_run = true;
		pthread_mutex_unlock(&m->lock);

		status = ioctl(m->vcpu_fd, KVM_RUN, 0);

		pthread_mutex_lock(&m->lock);
		m->in_run = false;
		pthread_mutex_unlock(&m->lock);
		if (status < 0) {
			if (errno == EINTR) {		/* kicked: KVM_EXIT_INTR */
				if (m->kick_mode == KICK_SIGNAL_MASK)
					consume_kicks();
				run->immediate_exit = 0;
				m->exits[KVM_EXIT_INTR]++;
				continue;
			}
			perror("minikvm-run: KVM_RUN");
			return EXIT_SETUP;
		}
		if (run->exit_reason <= KVM_EXIT_INTERNAL_ERROR)
			m->exits[run->exit_reason]++;
		switch (run->exit_reason) {
		case KVM_EXIT_IO:
			handle_io(m);
			break;
		case KVM_EXIT_MMIO:
			handle_mmio(m);
			break;
		case KVM_EXIT_IRQ_WINDOW_OPEN:
		case KVM_EXIT_INTR:
			break;			/* the loop injects */
		case KVM_EXIT_HLT:
			halt(m);
			break;
		case KVM_EXIT_SHUTDOWN:
			fprintf(stderr, "minikvm-run: triple fault (KVM_EXIT_SHUTDOWN)\n");
			report_exit(m->vcpu_fd, run);
			return EXIT_TRIPLE_FAULT;
		default:
			report_exit(m->vcpu_fd, run);
			return EXIT_GUEST;
		}
	}
}

static void print_summary(struct machine *m)
{
	uint64_t end = clock_ns(CLOCK_MONOTONIC);
	unsigned int i, port;

	if (m->first_tx_ns)
		fprintf(stderr, "minikvm-run: first UART byte %.3f s after start\n",
			(m->first_tx_ns - m->start_ns) / 1e9);
	fprintf(stderr, "minikvm-run: run time %.3f s; %llu interrupts injected; exits:",
		(end - m->start_ns) / 1e9, (unsigned long long)m->injected);
	for (i = 0; i <= KVM_EXIT_INTERNAL_ERROR; i++)
		if (m->exits[i])
			fprintf(stderr, " %s %llu", exit_name(i), (unsigned long long)m->exits[i]);
	fprintf(stderr, "\n");
	for (port = 0; port < 65536; port++)
		if (m->unclaimed_in[port] || m->unclaimed_out[port])
			fprintf(stderr, "minikvm-run: unclaimed port %#06x: %u in, %u out\n",
				port, m->unclaimed_in[port], m->unclaimed_out[port]);
	for (i = 0; i < MAX_MMIO_ADDRS && m->mmio_count[i]; i++)
		fprintf(stderr, "minikvm-run: unclaimed MMIO %#llx: %u accesses\n",
			(unsigned long long)m->mmio_addr[i], m->mmio_count[i]);
	if (m->mmio_other)
		fprintf(stderr, "minikvm-run: unclaimed MMIO elsewhere: %u accesses\n",
			m->mmio_other);
}

int linux_main(const struct linux_opts *o)
{
	struct machine *m = &machine;
	struct linux_boot boot;
	pthread_t io;
	int status;

	m->start_ns = clock_ns(CLOCK_MONOTONIC);
	m->verbose = o->verbose;
	m->stop_status = -1;
	m->vcpu_thread = pthread_self();
	if (setup_vm(m, o, &boot) < 0 || setup_devices(m, o) < 0)
		return EXIT_SETUP;
	setup_kick(m);
	if (o->verbose)
		fprintf(stderr, "minikvm-run: Linux %s, boot protocol %u.%02u, entry %#llx, "
			"initrd %llu bytes at %#llx, kick by %s\n", boot.version,
			boot.protocol >> 8, boot.protocol & 0xff,
			(unsigned long long)boot.entry, (unsigned long long)boot.initrd_size,
			(unsigned long long)boot.initrd_addr,
			m->kick_mode == KICK_SIGNAL_MASK ? "KVM_SET_SIGNAL_MASK" :
			m->kick_mode == KICK_IMMEDIATE_EXIT ? "immediate_exit" : "signal");
	tty_setup(m);
	if (pthread_create(&io, NULL, io_thread, m)) {
		fprintf(stderr, "minikvm-run: cannot start the I/O thread\n");
		return EXIT_SETUP;
	}
	status = run_vcpu(m);
	tty_restore();
	if (o->verbose)
		print_summary(m);
	return status;
}
