/* schema: cg_stats -> line protocol, for schema "default" and
 * "lxd2influx". The field tables below are the schema of README.md "What it
 * reports" and lxcollectd.ini(5) SCHEMA. */
#include "collector/schema.h"

#include <errno.h>
#include <inttypes.h>
#include <stddef.h>
#include <stdio.h>

struct field_map {
	const char *key;
	enum cg_field field;
};

struct measurement_map {
	const char *name;
	const struct field_map *fields;
	size_t n;
};

#define N(a) (sizeof(a) / sizeof((a)[0]))

static const struct field_map cpu_fields[] = {
	{ "usage_ns", CG_CPU_USAGE_NS },
	{ "user_ns", CG_CPU_USER_NS },
	{ "system_ns", CG_CPU_SYSTEM_NS },
	{ "periods", CG_CPU_PERIODS },
	{ "throttled_periods", CG_CPU_THROTTLED_PERIODS },
	{ "throttled_ns", CG_CPU_THROTTLED_NS },
	{ "limit_cpus", CG_CPU_LIMIT_CPUS },
	{ "effective_cpus", CG_CPU_EFFECTIVE_CPUS },
};

static const struct field_map memory_fields[] = {
	{ "usage_bytes", CG_MEM_USAGE },
	{ "working_set_bytes", CG_MEM_WORKING_SET },
	{ "rss_bytes", CG_MEM_RSS },
	{ "cache_bytes", CG_MEM_CACHE },
	{ "swap_bytes", CG_MEM_SWAP },
	{ "limit_bytes", CG_MEM_LIMIT },
	{ "oom_kills", CG_MEM_OOM_KILLS },
	{ "failcnt", CG_MEM_FAILCNT },
};

static const struct field_map pids_fields[] = {
	{ "current", CG_PIDS_CURRENT },
	{ "limit", CG_PIDS_LIMIT },
};

static const struct field_map io_fields[] = {
	{ "read_bytes", CG_IO_READ_BYTES },
	{ "write_bytes", CG_IO_WRITE_BYTES },
	{ "read_ops", CG_IO_READ_OPS },
	{ "write_ops", CG_IO_WRITE_OPS },
};

static const struct measurement_map default_schema[] = {
	{ "container_cpu", cpu_fields, N(cpu_fields) },
	{ "container_memory", memory_fields, N(memory_fields) },
	{ "container_pids", pids_fields, N(pids_fields) },
	{ "container_io", io_fields, N(io_fields) },
};

/* lxd2influx wrote the raw cgroup v1 key names; its dashboards query them. */
static const struct field_map lxd2influx_cpu[] = {
	{ "cpuacct.stat.user", CG_CPU_USER_TICKS },
	{ "cpuacct.stat.system", CG_CPU_SYSTEM_TICKS },
};

static const struct field_map lxd2influx_memory[] = {
	{ "memory.usage_in_bytes", CG_MEM_USAGE },
};

static const struct measurement_map lxd2influx_schema[] = {
	{ "cpu", lxd2influx_cpu, N(lxd2influx_cpu) },
	{ "memory", lxd2influx_memory, N(lxd2influx_memory) },
};

int schema_begin(struct lp_buf *b, const char *measurement, const struct ct_ident *id)
{
	int r;

	r = lp_begin(b, measurement);
	if (r < 0)
		return r;
	r = lp_tag(b, "host", id->host);
	if (r >= 0)
		r = lp_tag(b, "container", id->name);
	if (r >= 0 && id->project && id->project[0])
		r = lp_tag(b, "project", id->project);
	for (size_t i = 0; r >= 0 && i < id->ntags; i++)
		r = lp_tag(b, id->tags[i].key, id->tags[i].value);
	if (r < 0)
		lp_abort(b);
	return r;
}

static bool any_present(const struct cg_stats *s, const struct field_map *f, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (cg_has(s, f[i].field))
			return true;
	return false;
}

static int write_fields(struct lp_buf *b, const struct cg_stats *s, const struct field_map *f,
			size_t n)
{
	for (size_t i = 0; i < n; i++) {
		int r;

		if (!cg_has(s, f[i].field))
			continue;
		if (cg_field_is_double(f[i].field))
			r = lp_field_f64(b, f[i].key, s->v[f[i].field].d);
		else
			r = lp_field_u64(b, f[i].key, s->v[f[i].field].u);
		/* a float the protocol cannot hold (NaN) is left out, not fatal */
		if (r < 0 && r != -EDOM)
			return r;
	}
	return 0;
}

/* One point: measurement NAME, the container's tags, an optional extra tag
 * (key NULL: none) and the present fields of F. Returns 1 when written, 0
 * when none of its fields is present, or -errno. */
static int write_point(struct lp_buf *b, const char *name, const struct ct_ident *id,
		       const char *tag_key, const char *tag_value, const struct cg_stats *s,
		       const struct field_map *f, size_t n, int64_t ts_ns)
{
	int r;

	if (!any_present(s, f, n))
		return 0;
	r = schema_begin(b, name, id);
	if (r >= 0 && tag_key)
		r = lp_tag(b, tag_key, tag_value);
	if (r >= 0)
		r = write_fields(b, s, f, n);
	if (r < 0) {
		lp_abort(b);
		return r;
	}
	r = lp_end(b, ts_ns);
	if (r == -ENODATA)
		return 0;
	return r < 0 ? r : 1;
}

static int write_table(struct lp_buf *b, const struct measurement_map *m, size_t nm,
		       const struct ct_ident *id, const struct cg_stats *s, int64_t ts_ns)
{
	int points = 0;

	for (size_t i = 0; i < nm; i++) {
		int r = write_point(b, m[i].name, id, NULL, NULL, s, m[i].fields, m[i].n, ts_ns);

		if (r < 0)
			return r;
		points += r;
	}
	return points;
}

static const char *const psi_keys[] = {
	[CG_PSI_SOME_AVG10] = "some_avg10",
	[CG_PSI_SOME_TOTAL_US] = "some_total_us",
	[CG_PSI_FULL_AVG10] = "full_avg10",
	[CG_PSI_FULL_TOTAL_US] = "full_total_us",
};

static int write_pressure(struct lp_buf *b, const struct ct_ident *id, const struct cg_stats *s,
			  int64_t ts_ns)
{
	int points = 0;

	for (int res = 0; res < CG_PSI_MAX; res++) {
		struct field_map f[4];
		int r;

		for (int k = 0; k < 4; k++)
			f[k] = (struct field_map){ psi_keys[k], CG_PSI_FIELD(res, k) };
		r = write_point(b, "container_pressure", id, "resource",
				cg_psi_name((enum cg_psi)res), s, f, 4, ts_ns);
		if (r < 0)
			return r;
		points += r;
	}
	return points;
}

int schema_write_cgroup(struct lp_buf *b, enum cfg_schema schema, const struct ct_ident *id,
			const struct cg_stats *s, int64_t ts_ns)
{
	int n, p;

	if (schema == CFG_SCHEMA_LXD2INFLUX)
		return write_table(b, lxd2influx_schema, N(lxd2influx_schema), id, s, ts_ns);

	n = write_table(b, default_schema, N(default_schema), id, s, ts_ns);
	if (n < 0)
		return n;
	p = write_pressure(b, id, s, ts_ns);
	if (p < 0)
		return p;
	return n + p;
}

static const struct field_map lxd_memory_fields[] = {
	{ "active_anon", CG_MEM_ACTIVE_ANON },
	{ "active_file", CG_MEM_ACTIVE_FILE },
	{ "inactive_anon", CG_MEM_INACTIVE_ANON },
	{ "inactive_file", CG_MEM_INACTIVE_FILE },
	{ "unevictable", CG_MEM_UNEVICTABLE },
	{ "writeback", CG_MEM_WRITEBACK },
	{ "dirty", CG_MEM_DIRTY },
	{ "mapped", CG_MEM_MAPPED },
	{ "shmem", CG_MEM_SHMEM },
};

int schema_write_lxd_memory(struct lp_buf *b, const struct ct_ident *id, const struct cg_stats *s,
			    uint64_t host_mem, int64_t ts_ns)
{
	uint64_t total = host_mem, usage, cache;
	int r;

	if (!cg_has(s, CG_MEM_USAGE))
		return 0;
	usage = s->v[CG_MEM_USAGE].u;
	cache = cg_has(s, CG_MEM_CACHE) ? s->v[CG_MEM_CACHE].u : 0;
	if (cg_has(s, CG_MEM_LIMIT) && (!host_mem || s->v[CG_MEM_LIMIT].u <= host_mem))
		total = s->v[CG_MEM_LIMIT].u;
	r = schema_begin(b, "_lxd_memory", id);
	if (r >= 0)
		r = write_fields(b, s, lxd_memory_fields, N(lxd_memory_fields));
	/* LXD's sums and differences, negative when usage exceeds the total */
	if (r >= 0 && cg_has(s, CG_MEM_ACTIVE_ANON) && cg_has(s, CG_MEM_ACTIVE_FILE))
		r = lp_field_u64(b, "active", s->v[CG_MEM_ACTIVE_ANON].u + s->v[CG_MEM_ACTIVE_FILE].u);
	if (r >= 0 && cg_has(s, CG_MEM_INACTIVE_ANON) && cg_has(s, CG_MEM_INACTIVE_FILE))
		r = lp_field_u64(b, "inactive",
				 s->v[CG_MEM_INACTIVE_ANON].u + s->v[CG_MEM_INACTIVE_FILE].u);
	if (r >= 0 && total) {
		r = lp_field_u64(b, "mem_total", total);
		if (r >= 0)
			r = lp_field_f64(b, "mem_free", (double)total - (double)usage);
		if (r >= 0)
			r = lp_field_f64(b, "mem_available", (double)total - (double)usage + (double)cache);
	}
	if (r < 0) {
		lp_abort(b);
		return r;
	}
	r = lp_end(b, ts_ns);
	return r < 0 ? r : 1;
}

/* Ends a point begun with schema_begin(): R < 0 drops it (only -ENOMEM is
 * passed on). Returns the points written (0 or 1) or -ENOMEM. */
static int end_point(struct lp_buf *b, int r, int64_t ts_ns)
{
	if (r < 0) {
		lp_abort(b);
		return r == -ENOMEM ? r : 0;
	}
	r = lp_end(b, ts_ns);
	return r < 0 ? (r == -ENOMEM ? r : 0) : 1;
}

int schema_write_lxd_cpu(struct lp_buf *b, const struct ct_ident *id, const struct cg_split *sp,
			 const struct cg_stats *s, int64_t ts_ns)
{
	int r;

	if (!sp->ncpu && !(cg_has(s, CG_CPU_USER_NS) && cg_has(s, CG_CPU_SYSTEM_NS)))
		return 0;
	r = schema_begin(b, "_lxd_cpu", id);
	if (!sp->ncpu) {
		if (r >= 0)
			r = lp_field_u64(b, "u0", s->v[CG_CPU_USER_NS].u);
		if (r >= 0)
			r = lp_field_u64(b, "s0", s->v[CG_CPU_SYSTEM_NS].u);
	}
	for (size_t i = 0; i < sp->ncpu && r >= 0; i++) {
		char k[16];

		snprintf(k, sizeof(k), "u%" PRIu32, sp->cpu[i].cpu);
		r = lp_field_u64(b, k, sp->cpu[i].user_ns);
		k[0] = 's';
		if (r >= 0)
			r = lp_field_u64(b, k, sp->cpu[i].system_ns);
	}
	return end_point(b, r, ts_ns);
}

int schema_write_lxd_disk(struct lp_buf *b, const struct ct_ident *id, const char *device,
			  const struct cg_dev_split *d, int64_t ts_ns)
{
	int r = schema_begin(b, "_lxd_disk", id);

	if (r >= 0)
		r = lp_tag(b, "device", device);
	if (r >= 0)
		r = lp_field_u64(b, "rb", d->rbytes);
	if (r >= 0)
		r = lp_field_u64(b, "wb", d->wbytes);
	if (r >= 0)
		r = lp_field_u64(b, "rio", d->rios);
	if (r >= 0)
		r = lp_field_u64(b, "wio", d->wios);
	return end_point(b, r, ts_ns);
}

/* statfs f_type -> name, for the common ones (as LXD names them) */
static const char *fs_type_name(unsigned long t, char *buf, size_t size)
{
	static const struct {
		unsigned long magic;
		const char *name;
	} names[] = {
		{ 0xEF53, "ext4" },	 { 0x58465342, "xfs" },	   { 0x9123683E, "btrfs" },
		{ 0x2FC12FC1, "zfs" },	 { 0x01021994, "tmpfs" },  { 0x794C7630, "overlay" },
		{ 0x6969, "nfs" },	 { 0x73717368, "squashfs" }, { 0x00C36400, "ceph" },
		{ 0x65735546, "fuse" },	 { 0x5346544E, "ntfs" },
	};

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (names[i].magic == t)
			return names[i].name;
	snprintf(buf, size, "0x%lx", t);
	return buf;
}

int schema_write_fs(struct lp_buf *b, const struct ct_ident *id, const struct statfs *sf,
		    int64_t ts_ns)
{
	uint64_t bs = (uint64_t)sf->f_bsize;
	char tbuf[24];
	int r = schema_begin(b, "container_fs", id);

	if (r < 0)
		return r == -ENOMEM ? r : 0;
	r = lp_tag(b, "mountpoint", "/");
	if (r >= 0)
		r = lp_tag(b, "fstype", fs_type_name((unsigned long)sf->f_type, tbuf, sizeof(tbuf)));
	if (r >= 0)
		r = lp_field_u64(b, "size_bytes", (uint64_t)sf->f_blocks * bs);
	if (r >= 0)
		r = lp_field_u64(b, "used_bytes", (uint64_t)(sf->f_blocks - sf->f_bfree) * bs);
	if (r >= 0)
		r = lp_field_u64(b, "avail_bytes", (uint64_t)sf->f_bavail * bs);
	if (r >= 0)
		r = lp_field_u64(b, "free_bytes", (uint64_t)sf->f_bfree * bs);
	return end_point(b, r, ts_ns);
}

int schema_write_state(struct lp_buf *b, const struct ct_ident *id, const char *state,
		       bool running, int64_t started, int64_t ts_ns)
{
	int r = schema_begin(b, "container_state", id);

	if (r >= 0)
		r = lp_field_str(b, "state", state);
	if (r >= 0)
		r = lp_field_u64(b, "running", running);
	if (r >= 0 && running && started >= 0) {
		int64_t now = ts_ns / 1000000000;

		r = lp_field_u64(b, "uptime_s", now > started ? (uint64_t)(now - started) : 0);
		if (r >= 0)
			r = lp_field_u64(b, "started_at", (uint64_t)started);
	}
	return end_point(b, r, ts_ns);
}
