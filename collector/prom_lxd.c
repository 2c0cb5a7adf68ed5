/* prom_lxd: the families of LXD 5.0's /1.0/metrics for containers, so
 * that LXD's dashboards, alerts and recording rules work unchanged on
 * lxcollectd's endpoint.
 *
 * Names, labels, types and semantics follow LXD 5.0 (lxd/metrics/ and
 * the lxc driver's Metrics()), odd parts included:
 *  - lxd_procs_total is a gauge despite its name; the memory families are
 *    gauges named _bytes; everything else named _total is a counter;
 *  - labels name, project ("default" for the default project) and
 *    type="container" on every sample but the filesystem ones, which LXD
 *    5.0 writes without type;
 *  - MemTotal is the memory limit, or the host's MemTotal when there is
 *    none (or it is larger); LXD reads /proc/meminfo's kB as 1000 bytes,
 *    and so does collect.c; MemFree = MemTotal - usage and MemAvailable =
 *    MemFree + page cache, as LXD computes them;
 *  - network families have every interface, lo included (device label);
 *  - lxd_cpu_seconds_total has modes user and system: per CPU (every CPU
 *    of v1 cpuacct.usage_all, idle ones too), or on cgroup v2, which has
 *    no per-CPU figures, the container's totals (cpu.stat user_usec,
 *    system_usec) as cpu="0";
 *  - lxd_disk_*{device}: per block device of v1 blkio.throttle.*_recursive
 *    / v2 io.stat, every device listed, named by the kernel (blkdev.h).
 * The figures come from the cycle's line protocol and from the lines
 * collect.c adds for this endpoint only (measurements starting with '_',
 * never delivered). */
#include "collector/prom.h"

enum {
	L_CPU_SECONDS,
	L_CPU_EFFECTIVE,
	L_DISK_READ_BYTES,
	L_DISK_READS,
	L_DISK_WRITTEN_BYTES,
	L_DISK_WRITES,
	L_FS_AVAIL,
	L_FS_FREE,
	L_FS_SIZE,
	L_MEM_ACTIVE_ANON,
	L_MEM_ACTIVE_FILE,
	L_MEM_ACTIVE,
	L_MEM_CACHED,
	L_MEM_DIRTY,
	L_MEM_INACTIVE_ANON,
	L_MEM_INACTIVE_FILE,
	L_MEM_INACTIVE,
	L_MEM_MAPPED,
	L_MEM_AVAILABLE,
	L_MEM_FREE,
	L_MEM_TOTAL,
	L_MEM_RSS,
	L_MEM_SHMEM,
	L_MEM_SWAP,
	L_MEM_UNEVICTABLE,
	L_MEM_WRITEBACK,
	L_MEM_OOM,
	L_NET_RXB,
	L_NET_RXD,
	L_NET_RXE,
	L_NET_RXP,
	L_NET_TXB,
	L_NET_TXD,
	L_NET_TXE,
	L_NET_TXP,
	L_PROCS,
	L_MAX,
};

/* Counters are named here without their "_total", as the renderer wants;
 * the gauges keep LXD's full names. */
static const struct prom_family lxd_families[L_MAX] = {
	[L_CPU_SECONDS] = { "lxd_cpu_seconds", PT_COUNTER, "CPU time used, in seconds." },
	[L_CPU_EFFECTIVE] = { "lxd_cpu_effective_total", PT_GAUGE, "CPUs the container may use." },
	[L_DISK_READ_BYTES] = { "lxd_disk_read_bytes", PT_COUNTER, "Bytes read from the device." },
	[L_DISK_READS] = { "lxd_disk_reads_completed", PT_COUNTER,
			   "Reads completed on the device." },
	[L_DISK_WRITTEN_BYTES] = { "lxd_disk_written_bytes", PT_COUNTER,
				   "Bytes written to the device." },
	[L_DISK_WRITES] = { "lxd_disk_writes_completed", PT_COUNTER,
			    "Writes completed on the device." },
	[L_FS_AVAIL] = { "lxd_filesystem_avail_bytes", PT_GAUGE, "Space available to users, in bytes." },
	[L_FS_FREE] = { "lxd_filesystem_free_bytes", PT_GAUGE, "Free space, in bytes." },
	[L_FS_SIZE] = { "lxd_filesystem_size_bytes", PT_GAUGE, "Size of the filesystem, in bytes." },
	[L_MEM_ACTIVE_ANON] = { "lxd_memory_Active_anon_bytes", PT_GAUGE,
				"Anonymous memory on the active LRU list." },
	[L_MEM_ACTIVE_FILE] = { "lxd_memory_Active_file_bytes", PT_GAUGE,
				"File-backed memory on the active LRU list." },
	[L_MEM_ACTIVE] = { "lxd_memory_Active_bytes", PT_GAUGE, "Memory on the active LRU list." },
	[L_MEM_CACHED] = { "lxd_memory_Cached_bytes", PT_GAUGE, "Page cache." },
	[L_MEM_DIRTY] = { "lxd_memory_Dirty_bytes", PT_GAUGE, "Memory waiting to be written back." },
	[L_MEM_INACTIVE_ANON] = { "lxd_memory_Inactive_anon_bytes", PT_GAUGE,
				  "Anonymous memory on the inactive LRU list." },
	[L_MEM_INACTIVE_FILE] = { "lxd_memory_Inactive_file_bytes", PT_GAUGE,
				  "File-backed memory on the inactive LRU list." },
	[L_MEM_INACTIVE] = { "lxd_memory_Inactive_bytes", PT_GAUGE, "Memory on the inactive LRU list." },
	[L_MEM_MAPPED] = { "lxd_memory_Mapped_bytes", PT_GAUGE, "Mapped file memory." },
	[L_MEM_AVAILABLE] = { "lxd_memory_MemAvailable_bytes", PT_GAUGE,
			      "MemTotal minus usage plus page cache." },
	[L_MEM_FREE] = { "lxd_memory_MemFree_bytes", PT_GAUGE, "MemTotal minus usage." },
	[L_MEM_TOTAL] = { "lxd_memory_MemTotal_bytes", PT_GAUGE,
			  "Memory limit, or the host's memory when unlimited." },
	[L_MEM_RSS] = { "lxd_memory_RSS_bytes", PT_GAUGE, "Anonymous memory." },
	[L_MEM_SHMEM] = { "lxd_memory_Shmem_bytes", PT_GAUGE, "Shared memory (swap-backed cache)." },
	[L_MEM_SWAP] = { "lxd_memory_Swap_bytes", PT_GAUGE, "Swap used." },
	[L_MEM_UNEVICTABLE] = { "lxd_memory_Unevictable_bytes", PT_GAUGE, "Unevictable memory." },
	[L_MEM_WRITEBACK] = { "lxd_memory_Writeback_bytes", PT_GAUGE,
			      "Memory being written back to disk." },
	[L_MEM_OOM] = { "lxd_memory_OOM_kills", PT_COUNTER, "Processes killed by the OOM killer." },
	[L_NET_RXB] = { "lxd_network_receive_bytes", PT_COUNTER, "Bytes received." },
	[L_NET_RXD] = { "lxd_network_receive_drop", PT_COUNTER, "Received packets dropped." },
	[L_NET_RXE] = { "lxd_network_receive_errs", PT_COUNTER, "Receive errors." },
	[L_NET_RXP] = { "lxd_network_receive_packets", PT_COUNTER, "Packets received." },
	[L_NET_TXB] = { "lxd_network_transmit_bytes", PT_COUNTER, "Bytes transmitted." },
	[L_NET_TXD] = { "lxd_network_transmit_drop", PT_COUNTER, "Transmitted packets dropped." },
	[L_NET_TXE] = { "lxd_network_transmit_errs", PT_COUNTER, "Transmit errors." },
	[L_NET_TXP] = { "lxd_network_transmit_packets", PT_COUNTER, "Packets transmitted." },
	[L_PROCS] = { "lxd_procs_total", PT_GAUGE, "Processes in the container." },
};

#define NET_MAPS(m)                                          \
	{ m, "rx_bytes", L_NET_RXB, 1, NULL },               \
	{ m, "rx_dropped", L_NET_RXD, 1, NULL },             \
	{ m, "rx_errors", L_NET_RXE, 1, NULL },              \
	{ m, "rx_packets", L_NET_RXP, 1, NULL },             \
	{ m, "tx_bytes", L_NET_TXB, 1, NULL },               \
	{ m, "tx_dropped", L_NET_TXD, 1, NULL },             \
	{ m, "tx_errors", L_NET_TXE, 1, NULL },              \
	{ m, "tx_packets", L_NET_TXP, 1, NULL }

static const struct prom_map lxd_maps[] = {
	/* schema_write_lxd_cpu(): per CPU on v1, the totals as CPU 0 on v2 */
	{ "_lxd_cpu", "s#", L_CPU_SECONDS, 1000000000, "cpu=\"#\",mode=\"system\"" },
	{ "_lxd_cpu", "u#", L_CPU_SECONDS, 1000000000, "cpu=\"#\",mode=\"user\"" },
	{ "container_cpu", "effective_cpus", L_CPU_EFFECTIVE, 1, NULL },
	{ "_lxd_disk", "rb", L_DISK_READ_BYTES, 1, NULL },
	{ "_lxd_disk", "rio", L_DISK_READS, 1, NULL },
	{ "_lxd_disk", "wb", L_DISK_WRITTEN_BYTES, 1, NULL },
	{ "_lxd_disk", "wio", L_DISK_WRITES, 1, NULL },
	{ "container_fs", "avail_bytes", L_FS_AVAIL, 1, NULL },
	{ "container_fs", "free_bytes", L_FS_FREE, 1, NULL },
	{ "container_fs", "size_bytes", L_FS_SIZE, 1, NULL },
	{ "container_memory", "cache_bytes", L_MEM_CACHED, 1, NULL },
	{ "container_memory", "rss_bytes", L_MEM_RSS, 1, NULL },
	{ "container_memory", "swap_bytes", L_MEM_SWAP, 1, NULL },
	{ "container_memory", "oom_kills", L_MEM_OOM, 1, NULL },
	{ "_lxd_memory", "active_anon", L_MEM_ACTIVE_ANON, 1, NULL },
	{ "_lxd_memory", "active_file", L_MEM_ACTIVE_FILE, 1, NULL },
	{ "_lxd_memory", "active", L_MEM_ACTIVE, 1, NULL },
	{ "_lxd_memory", "dirty", L_MEM_DIRTY, 1, NULL },
	{ "_lxd_memory", "inactive_anon", L_MEM_INACTIVE_ANON, 1, NULL },
	{ "_lxd_memory", "inactive_file", L_MEM_INACTIVE_FILE, 1, NULL },
	{ "_lxd_memory", "inactive", L_MEM_INACTIVE, 1, NULL },
	{ "_lxd_memory", "mapped", L_MEM_MAPPED, 1, NULL },
	{ "_lxd_memory", "mem_available", L_MEM_AVAILABLE, 1, NULL },
	{ "_lxd_memory", "mem_free", L_MEM_FREE, 1, NULL },
	{ "_lxd_memory", "mem_total", L_MEM_TOTAL, 1, NULL },
	{ "_lxd_memory", "shmem", L_MEM_SHMEM, 1, NULL },
	{ "_lxd_memory", "unevictable", L_MEM_UNEVICTABLE, 1, NULL },
	{ "_lxd_memory", "writeback", L_MEM_WRITEBACK, 1, NULL },
	NET_MAPS("container_net"),
	/* the interfaces [collector] interfaces_exclude keeps out of the
	 * line protocol (lo by default): LXD reports them */
	NET_MAPS("_container_net"),
	{ "container_pids", "current", L_PROCS, 1, NULL },
};

const struct prom_profile prom_lxd_profile = {
	lxd_families, L_MAX, lxd_maps, sizeof(lxd_maps) / sizeof(lxd_maps[0]), true, -1, -1,
};
