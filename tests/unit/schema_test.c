/* schema: the exact lines each schema writes for a set of figures; absent
 * fields are left out, a measurement without any is not written. */
#include <math.h>
#include <stdlib.h>

#include "collector/schema.h"
#include "tests/testing.h"

static void set_u(struct cg_stats *s, enum cg_field f, uint64_t v)
{
	s->v[f].u = v;
	s->present |= UINT64_C(1) << f;
}

static void set_d(struct cg_stats *s, enum cg_field f, double v)
{
	s->v[f].d = v;
	s->present |= UINT64_C(1) << f;
}

static char *run(enum cfg_schema schema, const struct ct_ident *id, const struct cg_stats *s,
		 int *ret_points)
{
	struct lp_buf b;
	char *out;

	lp_buf_init(&b);
	*ret_points = schema_write_cgroup(&b, schema, id, s, 1700000000000000000);
	out = strndup(b.data ? b.data : "", b.len);
	lp_buf_free(&b);
	return out;
}

int main(void)
{
	struct ct_ident id = { "h1", "web 1", "proj", NULL, 0 };
	struct cfg_tag tags[] = { { (char *)"dc", (char *)"fra 1" },
				  { (char *)"role", (char *)"lxd,x=y" } };
	struct cg_stats s = { 0 };
	char *out;
	int n;

	set_u(&s, CG_CPU_USAGE_NS, 5000);
	set_u(&s, CG_CPU_USER_NS, 3000);
	set_d(&s, CG_CPU_LIMIT_CPUS, 0.5);
	set_u(&s, CG_CPU_USER_TICKS, 7);
	set_u(&s, CG_MEM_USAGE, 1048576);
	set_u(&s, CG_PIDS_CURRENT, 3);
	set_d(&s, CG_PSI_FIELD(CG_PSI_IO, CG_PSI_SOME_AVG10), 1.25);
	set_u(&s, CG_PSI_FIELD(CG_PSI_IO, CG_PSI_SOME_TOTAL_US), 99);

	out = run(CFG_SCHEMA_DEFAULT, &id, &s, &n);
	T_EQ_INT(n, 4, "default: cpu, memory, pids and one pressure point");
	T_EQ_STR(out,
		 "container_cpu,host=h1,container=web\\ 1,project=proj usage_ns=5000i,user_ns=3000i,limit_cpus=0.5 1700000000000000000\n"
		 "container_memory,host=h1,container=web\\ 1,project=proj usage_bytes=1048576i 1700000000000000000\n"
		 "container_pids,host=h1,container=web\\ 1,project=proj current=3i 1700000000000000000\n"
		 "container_pressure,host=h1,container=web\\ 1,project=proj,resource=io some_avg10=1.25,some_total_us=99i 1700000000000000000\n",
		 "default schema lines (no io point: no io field present)");
	free(out);

	id.project = NULL;
	out = run(CFG_SCHEMA_LXD2INFLUX, &id, &s, &n);
	T_EQ_INT(n, 2, "lxd2influx: cpu and memory");
	T_EQ_STR(out,
		 "cpu,host=h1,container=web\\ 1 cpuacct.stat.user=7i 1700000000000000000\n"
		 "memory,host=h1,container=web\\ 1 memory.usage_in_bytes=1048576i 1700000000000000000\n",
		 "lxd2influx lines, no project tag for the default project");
	free(out);

	/* [collector] tags: after host, container and project, escaped */
	id.project = "proj";
	id.tags = tags;
	id.ntags = 2;
	out = run(CFG_SCHEMA_LXD2INFLUX, &id, &s, &n);
	T_EQ_STR(out,
		 "cpu,host=h1,container=web\\ 1,project=proj,dc=fra\\ 1,role=lxd\\,x\\=y cpuacct.stat.user=7i 1700000000000000000\n"
		 "memory,host=h1,container=web\\ 1,project=proj,dc=fra\\ 1,role=lxd\\,x\\=y memory.usage_in_bytes=1048576i 1700000000000000000\n",
		 "configured tags on every point, escaped as tags");
	free(out);
	id.project = NULL;
	id.tags = NULL;
	id.ntags = 0;

	/* a float the protocol cannot hold is left out, the rest stays */
	memset(&s, 0, sizeof(s));
	set_d(&s, CG_CPU_LIMIT_CPUS, NAN);
	set_u(&s, CG_CPU_USAGE_NS, 1);
	out = run(CFG_SCHEMA_DEFAULT, &id, &s, &n);
	T_EQ_STR(out, "container_cpu,host=h1,container=web\\ 1 usage_ns=1i 1700000000000000000\n",
		 "NaN limit_cpus left out");
	free(out);

	/* only a NaN: the point has no field and is not written */
	memset(&s, 0, sizeof(s));
	set_d(&s, CG_CPU_LIMIT_CPUS, NAN);
	out = run(CFG_SCHEMA_DEFAULT, &id, &s, &n);
	T_EQ_INT(n, 0, "no point without a field");
	T_EQ_STR(out, "", "nothing written");
	free(out);

	/* an unwritable container name is refused, nothing half-written */
	memset(&s, 0, sizeof(s));
	set_u(&s, CG_PIDS_CURRENT, 1);
	id.name = "bad\nname";
	out = run(CFG_SCHEMA_DEFAULT, &id, &s, &n);
	T_OK(n < 0, "newline in the container name refused (%d)", n);
	T_EQ_STR(out, "", "and nothing written");
	free(out);
	return t_done();
}
