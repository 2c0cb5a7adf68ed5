/* prom: the exposition rendered from a cycle's line protocol (exact text
 * for a small cycle, every line-protocol field mapped, label escaping),
 * content negotiation, gzip, the listen syntax and the [prometheus]
 * configuration keys. */
#include <errno.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "collector/config.h"
#include "collector/prom.h"
#include "collector/schema.h"
#include "tests/testing.h"

static char *render(const char *lp, enum prom_format fmt, struct prom_render_stats *st)
{
	struct lp_buf out;
	char *s;
	int r;

	lp_buf_init(&out);
	r = prom_render(lp, strlen(lp), 1700000000500000000, &prom_own_profile, fmt, &out, st);
	s = r < 0 ? NULL : strndup(out.data ? out.data : "", out.len);
	lp_buf_free(&out);
	return s;
}

static void test_exact(void)
{
	struct prom_render_stats st;
	const char *lp =
		"container_cpu,host=h1,container=web\\ 1,project=p usage_ns=1500000000i,limit_cpus=0.5 1\n"
		"container_net,host=h1,container=web\\ 1,project=p,interface=eth0,host_interface=veth1 rx_bytes=10i 1\n"
		"container_cpu,host=h1,container=db usage_ns=2i 1\n"
		"container_pressure,host=h1,container=db,resource=io some_avg10=12.5,some_total_us=250i 1\n"
		"lxcollectd,host=h1 containers=2i,points=5i,cycle_us=1500i 1\n";
	char *s;

	s = render(lp, PROM_FMT_TEXT, &st);
	T_EQ_STR(s,
		 "# HELP lxcollectd_container_cpu_usage_seconds_total CPU time used by the container.\n"
		 "# TYPE lxcollectd_container_cpu_usage_seconds_total counter\n"
		 "lxcollectd_container_cpu_usage_seconds_total{container=\"web 1\",project=\"p\"} 1.5\n"
		 "lxcollectd_container_cpu_usage_seconds_total{container=\"db\"} 2e-09\n"
		 "# HELP lxcollectd_container_cpu_limit_cpus CPU quota in CPUs (quota / period); absent when unlimited.\n"
		 "# TYPE lxcollectd_container_cpu_limit_cpus gauge\n"
		 "lxcollectd_container_cpu_limit_cpus{container=\"web 1\",project=\"p\"} 0.5\n"
		 "# HELP lxcollectd_container_pressure_some_avg10_ratio Share of the last 10 s in which some task stalled on the resource.\n"
		 "# TYPE lxcollectd_container_pressure_some_avg10_ratio gauge\n"
		 "lxcollectd_container_pressure_some_avg10_ratio{container=\"db\",resource=\"io\"} 0.125\n"
		 "# HELP lxcollectd_container_pressure_some_seconds_total Time in which some task stalled on the resource.\n"
		 "# TYPE lxcollectd_container_pressure_some_seconds_total counter\n"
		 "lxcollectd_container_pressure_some_seconds_total{container=\"db\",resource=\"io\"} 0.00025\n"
		 "# HELP lxcollectd_container_network_receive_bytes_total Bytes received.\n"
		 "# TYPE lxcollectd_container_network_receive_bytes_total counter\n"
		 "lxcollectd_container_network_receive_bytes_total{container=\"web 1\",project=\"p\",interface=\"eth0\",host_interface=\"veth1\"} 10\n"
		 "# HELP lxcollectd_containers Containers reported in the last cycle.\n"
		 "# TYPE lxcollectd_containers gauge\n"
		 "lxcollectd_containers 2\n"
		 "# HELP lxcollectd_cycle_points Line-protocol points of the last cycle, its own health point included.\n"
		 "# TYPE lxcollectd_cycle_points gauge\n"
		 "lxcollectd_cycle_points 5\n"
		 "# HELP lxcollectd_cycle_duration_seconds Wall time the last collection cycle took.\n"
		 "# TYPE lxcollectd_cycle_duration_seconds gauge\n"
		 "lxcollectd_cycle_duration_seconds 0.0015\n"
		 "# HELP lxcollectd_last_cycle_timestamp_seconds Collection time of the cycle this exposition shows.\n"
		 "# TYPE lxcollectd_last_cycle_timestamp_seconds gauge\n"
		 "lxcollectd_last_cycle_timestamp_seconds 1700000000.5\n"
		 "# HELP lxcollectd_build_info The running lxcollectd's version, always 1.\n"
		 "# TYPE lxcollectd_build_info gauge\n"
		 "lxcollectd_build_info{version=\"" LXCOLLECTD_VERSION "\"} 1\n",
		 "text exposition: families grouped, units converted, host left out");
	T_EQ_U64(st.samples, 11, "samples");
	T_EQ_U64(st.families, 10, "families");
	T_EQ_U64(st.unmapped + st.bad_lines, 0, "nothing unmapped or unreadable");
	free(s);

	s = render(lp, PROM_FMT_OPENMETRICS, &st);
	T_OK(s && strstr(s, "# TYPE lxcollectd_container_cpu_usage_seconds counter\n"
			    "lxcollectd_container_cpu_usage_seconds_total{container=\"web 1\",project=\"p\"} 1.5\n"),
	     "OpenMetrics: counter family named without _total, samples with it");
	T_OK(s && strlen(s) > 6 && !strcmp(s + strlen(s) - 6, "# EOF\n"), "OpenMetrics ends in # EOF");
	free(s);
}

/* /1.0/metrics: LXD's names and labels (name, project "default" when
 * none, type, device for interfaces, no type on filesystems), its odd
 * types, and the '_' lines that only it reads. */
static void test_lxd(void)
{
	struct prom_render_stats st;
	struct lp_buf out;
	const char *lp =
		"container_cpu,host=h,container=a user_ns=2500000000i,system_ns=500000000i,usage_ns=3000000000i,effective_cpus=3i 1\n"
		/* v1: per CPU (the field number is the CPU's); odd names ignored */
		"_lxd_cpu,host=h,container=a u0=2000000000i,s0=500000000i,u1=500000000i,s1=0i,u=1i,u1x=1i,u1234567890=1i,x3=1i 1\n"
		/* v2: the totals as CPU 0 */
		"_lxd_cpu,host=h,container=b u0=1000i,s0=3000000000i 1\n"
		"_lxd_disk,host=h,container=a,device=loop0 rb=4096i,wb=409600i,rio=1i,wio=100i 1\n"
		"_lxd_disk,host=h,container=a,device=7:9 rb=0i,wb=512i,rio=0i,wio=1i 1\n"
		"_lxd_disk,host=h,container=b,device=we\\,ird\\ \\=\"x rb=5i 1\n"
		"container_pids,host=h,container=a,project=p current=4i 1\n"
		"container_net,host=h,container=a,interface=eth0,host_interface=veth9 rx_bytes=10i,tx_dropped=1i 1\n"
		"_container_net,host=h,container=a,interface=lo rx_bytes=7i 1\n"
		"_lxd_memory,host=h,container=a mem_total=1000i,mem_free=-5,active=3i 1\n"
		"container_fs,host=h,container=a,mountpoint=/,fstype=ext4 size_bytes=4096i 1\n"
		"lxcollectd,host=h containers=1i 1\n";
	char *s;

	lp_buf_init(&out);
	T_OK(prom_render(lp, strlen(lp), 1, &prom_lxd_profile, PROM_FMT_TEXT, &out, &st) == 0, "renders");
	s = strndup(out.data ? out.data : "", out.len);
	lp_buf_free(&out);
	T_OK(strstr(s, "# TYPE lxd_cpu_seconds_total counter\n"
		       "lxd_cpu_seconds_total{cpu=\"0\",mode=\"user\",name=\"a\",project=\"default\",type=\"container\"} 2\n"
		       "lxd_cpu_seconds_total{cpu=\"0\",mode=\"system\",name=\"a\",project=\"default\",type=\"container\"} 0.5\n"
		       "lxd_cpu_seconds_total{cpu=\"1\",mode=\"user\",name=\"a\",project=\"default\",type=\"container\"} 0.5\n"
		       "lxd_cpu_seconds_total{cpu=\"1\",mode=\"system\",name=\"a\",project=\"default\",type=\"container\"} 0\n"
		       "lxd_cpu_seconds_total{cpu=\"0\",mode=\"user\",name=\"b\",project=\"default\",type=\"container\"} 1e-06\n"
		       "lxd_cpu_seconds_total{cpu=\"0\",mode=\"system\",name=\"b\",project=\"default\",type=\"container\"} 3\n"
		       "# HELP") != NULL,
	     "CPU seconds per CPU and mode from _lxd_cpu, in seconds; the container_cpu totals not again");
	T_OK(strstr(s, "# TYPE lxd_disk_read_bytes_total counter\n"
		       "lxd_disk_read_bytes_total{device=\"loop0\",name=\"a\",project=\"default\",type=\"container\"} 4096\n"
		       "lxd_disk_read_bytes_total{device=\"7:9\",name=\"a\",project=\"default\",type=\"container\"} 0\n"
		       "lxd_disk_read_bytes_total{device=\"we,ird =\\\"x\",name=\"b\",project=\"default\",type=\"container\"} 5\n") != NULL,
	     "disk bytes read per device; a hostile name escaped as a label value");
	T_OK(strstr(s, "lxd_disk_writes_completed_total{device=\"loop0\",name=\"a\",project=\"default\",type=\"container\"} 100\n") &&
		     strstr(s, "lxd_disk_written_bytes_total{device=\"7:9\",name=\"a\",project=\"default\",type=\"container\"} 512\n") &&
		     strstr(s, "lxd_disk_reads_completed_total{device=\"loop0\",name=\"a\",project=\"default\",type=\"container\"} 1\n"),
	     "the other three disk families");
	T_OK(strstr(s, "lxd_filesystem_size_bytes{device=\"\",fstype=\"ext4\",mountpoint=\"/\",name=\"a\",project=\"default\"} 4096\n") != NULL,
	     "filesystem labels as LXD 5.0 writes them (no type)");
	T_OK(strstr(s, "lxd_memory_MemTotal_bytes{name=\"a\",project=\"default\",type=\"container\"} 1000\n") &&
		     strstr(s, "lxd_memory_MemFree_bytes{name=\"a\",project=\"default\",type=\"container\"} -5\n") &&
		     strstr(s, "lxd_memory_Active_bytes{name=\"a\",project=\"default\",type=\"container\"} 3\n"),
	     "memory from the _lxd_memory line, MemFree may be negative as in LXD");
	T_OK(strstr(s, "lxd_network_receive_bytes_total{device=\"eth0\",name=\"a\",project=\"default\",type=\"container\"} 10\n"
		       "lxd_network_receive_bytes_total{device=\"lo\",name=\"a\",project=\"default\",type=\"container\"} 7\n") != NULL,
	     "interfaces as device, lo from the _container_net line, no host_interface");
	T_OK(strstr(s, "# TYPE lxd_procs_total gauge\nlxd_procs_total{name=\"a\",project=\"p\",type=\"container\"} 4\n") != NULL,
	     "lxd_procs_total: a gauge despite its name; the project as is");
	T_OK(strstr(s, "# TYPE lxd_cpu_effective_total gauge\n"
		       "lxd_cpu_effective_total{name=\"a\",project=\"default\",type=\"container\"} 3\n") != NULL,
	     "lxd_cpu_effective_total from effective_cpus: a gauge despite its name");
	T_OK(strstr(s, "lxd_network_transmit_drop_total{") != NULL, "drops as LXD names them");
	T_OK(!strstr(s, "lxcollectd") && !strstr(s, "cpu=\"1234567890\"") && !strstr(s, "cpu=\"\"") &&
		     st.samples > 0 && !strstr(strstr(s, "# TYPE lxd_cpu_seconds_total") + 1, "# TYPE lxd_cpu_seconds_total"),
	     "nothing else: no lxcollectd families, no CPU sample of an odd field");
	{
		int n = 0;

		for (const char *p = s; (p = strstr(p, "\nlxd_cpu_seconds_total{")); p++)
			n++;
		T_EQ_INT(n, 6, "six CPU samples: 2 CPUs x 2 modes of a, 2 modes of b");
	}
	free(s);
}

static void set_all(struct cg_stats *s)
{
	memset(s, 0, sizeof(*s));
	for (int f = 0; f < CG_FIELD_MAX; f++) {
		if (cg_field_is_double((enum cg_field)f))
			s->v[f].d = 1.5;
		else
			s->v[f].u = 7;
		s->present |= UINT64_C(1) << f;
	}
}

/* How many fields the line protocol holds (a line's field set is between
 * its first two unescaped spaces; our values hold no space or comma). */
static uint64_t count_fields(const char *lp)
{
	uint64_t n = 0;

	for (const char *p = lp; *p;) {
		const char *sp = p;

		while (*sp && !(*sp == ' ' && sp[-1] != '\\'))
			sp++;
		for (const char *q = sp + 1; *q && *q != ' '; q++)
			n += *q == ',';
		n++;
		p = strchr(p, '\n') + 1;
	}
	return n;
}

/* Every field either schema writes, and those of net.c and the health
 * point, has a family: no figure of the line protocol is missing. */
static void test_complete(void)
{
	struct ct_ident id = { "h", "c", "p", NULL, 0 };
	struct prom_render_stats st;
	struct cg_stats s;
	struct lp_buf b;
	char *out;

	for (int schema = 0; schema < 2; schema++) {
		lp_buf_init(&b);
		set_all(&s);
		T_OK(schema_write_cgroup(&b, (enum cfg_schema)schema, &id, &s, 1) > 0, "schema %d writes",
		     schema);
		lp_append(&b, schema ? "network,host=h,container=c,interface=eth0 rx_bytes=1i,tx_bytes=2i,rx_packets=3i,tx_packets=4i 1\n"
				     : "container_net,host=h,container=c,interface=eth0,host_interface=v rx_bytes=1i,tx_bytes=2i,rx_packets=3i,tx_packets=4i,rx_errors=5i,tx_errors=6i,rx_dropped=7i,tx_dropped=8i 1\n",
			  strlen(schema ? "network,host=h,container=c,interface=eth0 rx_bytes=1i,tx_bytes=2i,rx_packets=3i,tx_packets=4i 1\n"
					: "container_net,host=h,container=c,interface=eth0,host_interface=v rx_bytes=1i,tx_bytes=2i,rx_packets=3i,tx_packets=4i,rx_errors=5i,tx_errors=6i,rx_dropped=7i,tx_dropped=8i 1\n"));
		if (!schema) {
			static const char st_line[] =
				"container_state,host=h,container=c state=\"FROZEN\",running=1i,uptime_s=5i,started_at=7i 1\n"
				"container_state,host=h,container=d state=\"STOPPED\",running=0i 1\n";

			lp_append(&b, st_line, strlen(st_line));
		}
		lp_append(&b, "lxcollectd,host=h containers=1i,points=2i,cycle_us=3i,spool_bytes=4i,dropped_points=5i,write_errors=6i 1\n",
			  strlen("lxcollectd,host=h containers=1i,points=2i,cycle_us=3i,spool_bytes=4i,dropped_points=5i,write_errors=6i 1\n"));
		out = render(b.data, PROM_FMT_TEXT, &st);
		T_EQ_U64(st.unmapped, 0, "every field has a family");
		T_EQ_U64(st.bad_lines, 0, "every line read");
		T_EQ_U64(st.samples - 2, count_fields(b.data) - st.unmapped,
			 "a sample per mapped field (plus the renderer's own two)");
		free(out);
		lp_buf_free(&b);
	}
}

/* container_state: the state string as a label of a sample 1; a value
 * that is none of the three is refused, not invented. */
static void test_state(void)
{
	struct prom_render_stats st;
	char *s = render("container_state,host=h,container=a state=\"FROZEN\",running=1i,uptime_s=90i,started_at=1700000000i 1\n"
			 "container_state,host=h,container=b state=\"STOPPED\",running=0i 1\n"
			 "container_state,host=h,container=c state=\"ODD\",running=0i 1\n",
			 PROM_FMT_TEXT, &st);

	T_OK(s && strstr(s, "# TYPE lxcollectd_container_state gauge\n"
			    "lxcollectd_container_state{state=\"FROZEN\",container=\"a\"} 1\n"
			    "lxcollectd_container_state{state=\"STOPPED\",container=\"b\"} 1\n#"),
	     "state as a label, value 1; ODD left out");
	T_OK(s && strstr(s, "lxcollectd_container_running{container=\"b\"} 0\n") &&
		     strstr(s, "lxcollectd_container_uptime_seconds{container=\"a\"} 90\n") &&
		     strstr(s, "lxcollectd_container_start_time_seconds{container=\"a\"} 1700000000\n"),
	     "running, uptime and start time");
	T_EQ_U64(st.bad_lines, 1, "the unknown state counted as unreadable");
	free(s);
}

static void test_escapes(void)
{
	struct prom_render_stats st;
	char *s;

	/* as lp.c writes them: a quote and a backslash in a tag value are
	 * not escaped, a comma, '=' and a space are */
	s = render("container_pids,host=h,container=a\"b\\c\\,d\\=e\\ f current=3i 1\n"
		   "container_pids,host=h,container=x current=notanumber 1\n"
		   "garbage without fields\n"
		   "unknown_measurement,host=h x=1i 1\n",
		   PROM_FMT_TEXT, &st);
	T_OK(s && strstr(s, "lxcollectd_container_pids{container=\"a\\\"b\\\\c,d=e f\"} 3\n"),
	     "label value escaped for the exposition: %s", s ? s : "(null)");
	T_EQ_U64(st.bad_lines, 1, "a bad value is counted");
	T_EQ_U64(st.unmapped, 2, "lines of unknown measurements are counted");
	free(s);
}

static void test_http_headers(void)
{
	static const struct {
		const char *accept;
		enum prom_format want;
	} neg[] = {
		{ NULL, PROM_FMT_TEXT },
		{ "", PROM_FMT_TEXT },
		{ "*/*", PROM_FMT_TEXT },
		{ "text/plain", PROM_FMT_TEXT },
		/* what Prometheus 2.42 sends */
		{ "application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1",
		  PROM_FMT_OPENMETRICS },
		{ "application/openmetrics-text; version=1.0.0", PROM_FMT_OPENMETRICS },
		{ "application/openmetrics-text;q=0.4, text/plain;q=0.5", PROM_FMT_TEXT },
		{ "application/openmetrics-text;q=0", PROM_FMT_TEXT },
		{ "Application/OpenMetrics-Text", PROM_FMT_OPENMETRICS },
		{ "application/json", PROM_FMT_TEXT },
	};
	static const struct {
		const char *ae;
		bool want;
	} gz[] = {
		{ NULL, false },	  { "", false },	   { "gzip", true },
		{ "deflate, gzip;q=0.5", true }, { "gzip;q=0", false }, { "identity", false },
		{ "*", true },		  { "br, GZIP", true },	   { "gzipx", false },
	};
	static const struct {
		const char *s;
		int ok;
		const char *host;
		unsigned port;
	} lis[] = {
		{ "127.0.0.1:9101", 1, "127.0.0.1", 9101 },
		{ "[::1]:80", 1, "::1", 80 },
		{ "localhost:65535", 1, "localhost", 65535 },
		{ "0.0.0.0:1", 1, "0.0.0.0", 1 },
		{ "::1:9101", 0, NULL, 0 },
		{ ":9101", 0, NULL, 0 },
		{ "127.0.0.1", 0, NULL, 0 },
		{ "127.0.0.1:0", 0, NULL, 0 },
		{ "127.0.0.1:65536", 0, NULL, 0 },
		{ "127.0.0.1:+80", 0, NULL, 0 },
		{ "127.0.0.1:80x", 0, NULL, 0 },
		{ "a b:80", 0, NULL, 0 },
		{ "[::1]80", 0, NULL, 0 },
		{ "", 0, NULL, 0 },
	};

	for (size_t i = 0; i < sizeof(neg) / sizeof(neg[0]); i++)
		T_EQ_INT(prom_negotiate(neg[i].accept), neg[i].want, neg[i].accept ? neg[i].accept : "(no Accept)");
	for (size_t i = 0; i < sizeof(gz) / sizeof(gz[0]); i++)
		T_EQ_INT(prom_accepts_gzip(gz[i].ae), gz[i].want, gz[i].ae ? gz[i].ae : "(no Accept-Encoding)");
	for (size_t i = 0; i < sizeof(lis) / sizeof(lis[0]); i++) {
		char host[64] = "";
		uint16_t port = 0;
		int r = prom_parse_listen(lis[i].s, host, sizeof(host), &port);

		if (lis[i].ok)
			T_OK(r == 0 && !strcmp(host, lis[i].host) && port == lis[i].port,
			     "listen \"%s\" -> %s port %u", lis[i].s, host, port);
		else
			T_OK(r < 0, "listen \"%s\" refused", lis[i].s);
	}
}

static void test_config(void)
{
	char dir[] = "/tmp/prom_test.XXXXXX", path[128], tok[128];
	struct cfg_report rep;
	struct config *c = NULL;
	FILE *f;
	int r;

	if (!mkdtemp(dir)) {
		T_OK(0, "mkdtemp");
		return;
	}
	snprintf(path, sizeof(path), "%s/c.ini", dir);
	snprintf(tok, sizeof(tok), "%s/token", dir);
	f = fopen(tok, "w");
	fputs("s3cret\n", f);
	fclose(f);
	chmod(tok, 0600);

	f = fopen(path, "w");
	fprintf(f, "[prometheus]\nlisten = 127.0.0.1:9101\ntoken_file = %s\n", tok);
	fclose(f);
	r = cfg_load(path, true, &c, &rep);
	T_OK(r == 0 && c && !strcmp(c->prom_listen, "127.0.0.1:9101") && c->prom_token &&
		     !strcmp(c->prom_token, "s3cret"),
	     "listen and token read");
	cfg_free(c);
	cfg_report_free(&rep);

	f = fopen(path, "w");
	fprintf(f, "[prometheus]\nlisten = 9101\ntls_cert = %s\n", tok);
	fclose(f);
	c = NULL;
	r = cfg_load(path, true, &c, &rep);
	T_EQ_INT(r, -EINVAL, "bad listen and a cert without key refused");
	T_OK(rep.errors.n == 2 && strstr(rep.errors.v[0], ":prometheus.listen: \"9101\" is not HOST:PORT") &&
		     strstr(rep.errors.v[1], ":prometheus.tls_key: tls_cert and tls_key go together"),
	     "errors name FILE:prometheus.KEY (%s)", rep.errors.n ? rep.errors.v[0] : "none");
	cfg_report_free(&rep);

	c = NULL;
	r = cfg_load("/nonexistent/lxcollectd.ini", false, &c, &rep);
	T_OK(r == 0 && c && !c->prom_listen, "off by default");
	cfg_free(c);
	cfg_report_free(&rep);
	unlink(tok);
	unlink(path);
	rmdir(dir);
}

int main(void)
{
	test_state();
	test_exact();
	test_complete();
	test_lxd();
	test_escapes();
	test_http_headers();
	test_config();
	return t_done();
}
