/* blkdev: device names from uevent buffers (hostile ones refused), the
 * cache (one lookup per device, failures kept), and the /1.0/metrics side
 * points of the per-CPU and per-device figures (schema.c), rendered. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "collector/blkdev.h"
#include "collector/prom.h"
#include "collector/schema.h"
#include "tests/testing.h"

static void test_parse(void)
{
	static const struct {
		const char *in;
		int r;
		const char *name;
	} t[] = {
		{ "MAJOR=7\nMINOR=0\nDEVNAME=loop0\nDEVTYPE=disk\nDISKSEQ=11\n", 0, "loop0" },
		{ "MAJOR=259\nMINOR=1\nDEVNAME=nvme0n1p1\nDEVTYPE=partition\n", 0, "nvme0n1p1" },
		{ "DEVNAME=cciss/c0d0", 0, "cciss/c0d0" }, /* no final newline */
		{ "MAJOR=8\nMINOR=0\n", -ENOENT, NULL },
		{ "", -ENOENT, NULL },
		{ "DEVNAME=\n", -EINVAL, NULL },
		{ "DEVNAME=a b\n", -EINVAL, NULL },
		{ "DEVNAME=a\"b\n", -EINVAL, NULL },
		{ "DEVNAME=a\\\n", -EINVAL, NULL },
		{ "DEVNAME=a,b=c\n", -EINVAL, NULL },
		{ "DEVNAME=a\tb\n", -EINVAL, NULL },
		{ "DEVNAME=d\xc3\xa9v\n", -EINVAL, NULL },
		{ "DEVNAME=0123456789012345678901234567890123456789012345678901234567890123\n", -EINVAL,
		  NULL }, /* 64 bytes: too long */
		{ "XDEVNAME=sda\nDEVNAME=sdb\n", 0, "sdb" },
	};

	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		char name[BLKDEV_NAME_MAX] = "untouched";
		int r = blkdev_parse_uevent(t[i].in, strlen(t[i].in), name, sizeof(name));

		T_EQ_INT(r, t[i].r, "uevent result");
		if (t[i].name)
			T_EQ_STR(name, t[i].name, "DEVNAME");
	}
}

static void put(const char *root, const char *dev, const char *text)
{
	char path[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/dev", root);
	mkdir(path, 0755);
	snprintf(path, sizeof(path), "%s/dev/block", root);
	mkdir(path, 0755);
	snprintf(path, sizeof(path), "%s/dev/block/%s", root, dev);
	mkdir(path, 0755);
	snprintf(path, sizeof(path), "%s/dev/block/%s/uevent", root, dev);
	f = fopen(path, "w");
	if (f) {
		fputs(text, f);
		fclose(f);
	}
}

/* A sysfs of two devices: names found, "MAJ:MIN" for the unknown and the
 * hostile; each device looked up once (renaming the file afterwards does
 * not change the name; a device appearing later stays unknown). */
static void test_cache(void)
{
	char root[] = "/tmp/blkdev_test_XXXXXX", cmd[128];
	struct blkdev_names *n;

	if (!mkdtemp(root))
		return;
	put(root, "7:0", "MAJOR=7\nMINOR=0\nDEVNAME=loop0\n");
	put(root, "8:16", "DEVNAME=sd b\n");
	n = blkdev_names_new(root);
	T_OK(n != NULL, "new");
	if (!n)
		return;
	T_EQ_STR(blkdev_name(n, 7, 0), "loop0", "7:0 is loop0");
	T_EQ_STR(blkdev_name(n, 8, 16), "8:16", "a hostile name: MAJ:MIN instead");
	T_EQ_STR(blkdev_name(n, 253, 4), "253:4", "a device sysfs does not know: MAJ:MIN");
	put(root, "7:0", "DEVNAME=renamed\n");
	put(root, "253:4", "DEVNAME=dm-4\n");
	T_EQ_STR(blkdev_name(n, 7, 0), "loop0", "7:0 looked up once");
	T_EQ_STR(blkdev_name(n, 253, 4), "253:4", "a failed lookup kept");
	for (unsigned i = 0; i < 5000; i++) /* past the cache's bound */
		(void)blkdev_name(n, 1000, i);
	T_EQ_STR(blkdev_name(n, 1000, 4999), "1000:4999", "beyond the cache: still a name");
	T_EQ_STR(blkdev_name(n, 7, 0), "loop0", "and the first still cached");
	blkdev_names_free(n);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", root);
	T_EQ_INT(system(cmd), 0, "cleanup");
}

/* The side points: one _lxd_cpu point per container (per CPU on v1, the
 * totals as CPU 0 without), one _lxd_disk point per device; rendered on
 * /1.0/metrics as LXD names them. */
static void test_side_points(void)
{
	static const struct cg_cpu_split cpus[] = { { 0, 2000000000, 1000 }, { 3, 5, 500000000 } };
	static const struct cg_dev_split dev = { 7, 0, 4096, 409600, 1, 100 };
	struct ct_ident id = { "h", "web", NULL, NULL, 0 };
	struct cg_split sp = { cpus, 2, NULL, 0 };
	struct cg_stats s = { 0 };
	struct lp_buf b, out;
	char *text;

	lp_buf_init(&b);
	T_EQ_INT(schema_write_lxd_cpu(&b, &id, &sp, &s, 1), 1, "v1: one point");
	sp.ncpu = 0;
	T_EQ_INT(schema_write_lxd_cpu(&b, &id, &sp, &s, 2), 0, "no split, no totals: none");
	s.present = (1ull << CG_CPU_USER_NS) | (1ull << CG_CPU_SYSTEM_NS);
	s.v[CG_CPU_USER_NS].u = 7;
	s.v[CG_CPU_SYSTEM_NS].u = 9;
	T_EQ_INT(schema_write_lxd_cpu(&b, &id, &sp, &s, 3), 1, "v2: the totals");
	T_EQ_INT(schema_write_lxd_disk(&b, &id, "loop0", &dev, 4), 1, "a device");
	T_EQ_INT(schema_write_lxd_disk(&b, &id, "bad\\", &dev, 5), 0, "a name that cannot be a tag: none");
	text = strndup(b.data ? b.data : "", b.len);
	T_EQ_STR(text,
		 "_lxd_cpu,host=h,container=web u0=2000000000i,s0=1000i,u3=5i,s3=500000000i 1\n"
		 "_lxd_cpu,host=h,container=web u0=7i,s0=9i 3\n"
		 "_lxd_disk,host=h,container=web,device=loop0 rb=4096i,wb=409600i,rio=1i,wio=100i 4\n",
		 "side points");
	free(text);
	lp_buf_init(&out);
	T_EQ_INT(prom_render(b.data, b.len, 1, &prom_lxd_profile, PROM_FMT_TEXT, &out, NULL), 0,
		 "rendered");
	text = strndup(out.data ? out.data : "", out.len);
	T_OK(strstr(text, "lxd_cpu_seconds_total{cpu=\"3\",mode=\"system\",name=\"web\",project=\"default\",type=\"container\"} 0.5\n") &&
		     strstr(text, "lxd_cpu_seconds_total{cpu=\"0\",mode=\"user\",name=\"web\",project=\"default\",type=\"container\"} 2\n") &&
		     strstr(text, "lxd_disk_written_bytes_total{device=\"loop0\",name=\"web\",project=\"default\",type=\"container\"} 409600\n"),
	     "on /1.0/metrics: CPU 3's own seconds, the device's own bytes");
	free(text);
	lp_buf_free(&out);
	lp_buf_free(&b);
}

int main(void)
{
	test_parse();
	test_cache();
	test_side_points();
	return t_done();
}
