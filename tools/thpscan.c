/*
 * thpscan: batch page-table forensics for Linux crash dumps, without crash.
 *
 *   thpscan [options] VMLINUX VMCORE...
 *   thpscan [options] --debuginfo-dir DIR VMCORE...
 *   thpscan [options] VMCORE...      (the dump's own BTF and kallsyms)
 *
 * Same engine and findings as the crash command thpcheck (ext/), with
 * the backend of backend_kdump.c.  Each dump is scanned in a child
 * process: a dump that makes the scanner fail (or crash) costs only its
 * own result, and --jobs N runs N children at once.  Output is printed
 * in the order of the arguments.  Exit status: 0 clean, 1 findings,
 * 2 at least one dump could not be scanned.
 */
#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include "tc.h"
#include "debuginfo.h"
#include "backend_kdump.h"

#define EXIT_CLEAN	0
#define EXIT_FINDINGS	1
#define EXIT_UNSCANNED	2

#define MAX_SCAN_DEPTH	6	/* --debuginfo-dir: directory levels searched */
#define MAX_SCAN_FILES	200000	/* --debuginfo-dir: entries looked at */
#define MAX_JOBS	256
#define MAX_VMLINUX_CACHE 16	/* --debuginfo-dir: vmlinuxes kept open */

enum output { OUT_TEXT, OUT_JSON, OUT_TABLES, OUT_LEAVES, OUT_SUMMARY,
	      OUT_EXPLAIN };

struct config {
	struct tc_opts opts;
	enum output output;
	const char *vmlinux;
	const char *debuginfo_dir;
	int jobs;
	int progress;
	uint64_t xaddr;		/* -x */
	struct tc_opts xscope;	/* -x: the -p/-m the user gave */
	struct kdw *vml;	/* the explicit VMLINUX, opened once */
	/* --debuginfo-dir: vmlinuxes the parent opened and indexed, which
	 * the children inherit */
	struct vcache { char path[4096]; struct kdw *w; } cache[MAX_VMLINUX_CACHE];
	int ncache;
};

static const char *prog = "thpscan";

/* ------------------------------------------------------------ output */

/* Copy the engine's output, adding "dump":PATH as the first key of every
 * line that is a JSON object (thpcheck -j, -t and -e lines).  The
 * engine's formatter stays the one crash uses. */
static void copy_with_dump_key(FILE *out, const char *text, const char *path,
			       const char *keys)
{
	const char *line = text;

	while (*line) {
		const char *nl = strchr(line, '\n');
		size_t len = nl ? (size_t)(nl - line + 1) : strlen(line);

		if (line[0] == '{' && len > 1 && line[1] != '}') {
			fputs("{\"dump\":", out);
			tc_json_str(out, path);
			fprintf(out, ",%s", keys);
			fwrite(line + 1, 1, len - 1, out);
		} else {
			fwrite(line, 1, len, out);
		}
		line += len;
	}
}

static void report_unscanned(const struct config *cf, FILE *out, FILE *err,
			     const char *path, const char *why)
{
	fprintf(err, "%s: %s: %s\n", prog, path, why);
	if (cf->output == OUT_JSON) {
		/* keeps "one line per dump" true for jq pipelines */
		fputs("{\"dump\":", out);
		tc_json_str(out, path);
		fputs(",\"error\":", out);
		tc_json_str(out, why);
		fputs("}\n", out);
	}
}

/* -x: with -p/-m ADDR is a user VA, else a physical address */
static void explain(const struct config *cf, struct tc_ctx *c, FILE *out)
{
	if (tc_explain_in(c, &cf->xscope, cf->xaddr, out) < 0)
		fprintf(out, "%s\n", c->err);
}

static void print_result(const struct config *cf, struct tc_ctx *c,
			 const struct kd_dump *d, const char *walk_out, FILE *out)
{
	char *buf = NULL, keys[96];
	size_t len = 0;
	FILE *m;
	const char *path = d->path;

	switch (cf->output) {
	case OUT_JSON:
		m = open_memstream(&buf, &len);
		if (!m)
			return;
		tc_print_json(c, m);
		fclose(m);
		/* where the layouts and symbols came from (layout.h) */
		snprintf(keys, sizeof(keys), "\"layouts\":\"%s\",\"symbols\":\"%s\",",
			 kdw_layout_source(d->vml), kdw_symbol_source(d->vml));
		copy_with_dump_key(out, buf, path, keys);
		free(buf);
		break;
	case OUT_TABLES:
	case OUT_LEAVES:
		copy_with_dump_key(out, walk_out, path, "");
		break;
	case OUT_SUMMARY:
		fprintf(out, "%s: ", path);
		tc_print_summary(c, out);
		break;
	case OUT_EXPLAIN:
		fprintf(out, "== %s\n", path);
		explain(cf, c, out);
		break;
	case OUT_TEXT:
		fprintf(out, "== %s\n", path);
		if (cf->opts.verbose)
			fprintf(out, "debuginfo: layouts from %s, symbols from %s (%s)\n",
				kdw_layout_source(d->vml), kdw_symbol_source(d->vml),
				kdw_path(d->vml));
		fputs(walk_out, out);	/* -v table lines */
		tc_print_text(c, out);
		break;
	}
}

/* ------------------------------------------------------------ vmlinux */

/* an ELF file that is not a core file: the VMLINUX argument (dumps are
 * ELF core files, kdump-compressed or other formats) */
static int is_vmlinux_file(const char *path)
{
	unsigned char e[18];
	FILE *f = fopen(path, "rb");
	size_t n = f ? fread(e, 1, sizeof(e), f) : 0;
	unsigned type;

	if (f)
		fclose(f);
	if (n < sizeof(e) || memcmp(e, "\177ELF", 4))
		return 0;
	type = e[5] == 2 ? (unsigned)e[16] << 8 | e[17] : (unsigned)e[17] << 8 | e[16];
	return type != 4;	/* ET_CORE */
}

static int is_vmlinux_name(const char *name)
{
	size_t n = strlen(name);

	return !strncmp(name, "vmlinux", 7) &&
	       !(n > 3 && !strcmp(name + n - 3, ".ko"));
}

struct search {
	const char *build_id;
	const char *release;
	size_t seen;
	char found[4096];
};

/* Walk DIR for files named vmlinux* whose build-id is the dump's. */
static int scan_dir_for_build_id(struct search *s, const char *dir, int depth)
{
	DIR *dp;
	struct dirent *de;
	int rc = -1;

	if (depth > MAX_SCAN_DEPTH || !(dp = opendir(dir)))
		return -1;
	while (rc < 0 && (de = readdir(dp)) && ++s->seen < MAX_SCAN_FILES) {
		char path[4096], id[130];
		struct stat st;

		if (de->d_name[0] == '.' && strcmp(de->d_name, ".build-id"))
			continue;
		if (snprintf(path, sizeof(path), "%s/%s", dir, de->d_name) >=
		    (int)sizeof(path) || stat(path, &st) < 0)
			continue;
		if (S_ISDIR(st.st_mode))
			rc = scan_dir_for_build_id(s, path, depth + 1);
		else if (S_ISREG(st.st_mode) && is_vmlinux_name(de->d_name) &&
			 kdw_peek_build_id(path, id, sizeof(id)) == 0 &&
			 !strcmp(id, s->build_id)) {
			snprintf(s->found, sizeof(s->found), "%s", path);
			rc = 0;
		}
	}
	closedir(dp);
	return rc;
}

static int try_path(struct search *s, const char *fmt, const char *a,
		    const char *b, const char *c)
{
	struct stat st;

	snprintf(s->found, sizeof(s->found), fmt, a, b, c);
	return stat(s->found, &st) == 0 && S_ISREG(st.st_mode) ? 0 : -1;
}

/*
 * The usual places first (the .build-id tree of a debuginfo root, the
 * Debian -dbg and RPM layouts, by release), then any vmlinux* under DIR
 * with the dump's build-id.  kd_attach() checks whatever is found.
 * A ppc64 dump without VMCOREINFO gets its build-id from the kernel
 * image in memory first.
 */
static int find_vmlinux(const char *dir, struct kd_dump *d, char *out,
			size_t outlen, char *why, size_t whylen)
{
	struct search s = { .build_id = d->build_id, .release = d->osrelease };
	const char *id = d->build_id, *rel = d->osrelease;
	int ok = -1;

	kd_image_build_id(d);

	if (id[0] && strlen(id) > 2) {
		char head[3] = { id[0], id[1], 0 };

		ok = try_path(&s, "%s/.build-id/%s/%s.debug", dir, head, id + 2);
		if (ok < 0)
			ok = try_path(&s, "%s/usr/lib/debug/.build-id/%s/%s.debug",
				      dir, head, id + 2);
	}
	if (ok < 0 && rel[0]) {
		static const char *const fmts[] = {
			"%s/vmlinux-%s%s", "%s/usr/lib/debug/boot/vmlinux-%s%s",
			"%s/usr/lib/debug/lib/modules/%s/vmlinux%s",
			"%s/boot/vmlinux-%s%s", "%s/%s/vmlinux%s",
		};
		size_t i;

		for (i = 0; ok < 0 && i < sizeof(fmts) / sizeof(fmts[0]); i++)
			ok = try_path(&s, fmts[i], dir, rel, "");
	}
	if (ok < 0 && id[0])
		ok = scan_dir_for_build_id(&s, dir, 0);
	if (ok < 0) {
		snprintf(why, whylen, "no vmlinux for %s%s%s%s under %s",
			 id[0] ? "build-id " : "", id, id[0] && rel[0] ? ", release " : "",
			 rel, dir);
		if (!id[0] && !rel[0])
			snprintf(why, whylen,
				 "the dump names no build-id or release: give the VMLINUX");
		return -1;
	}
	snprintf(out, outlen, "%s", s.found);
	return 0;
}

/* ------------------------------------------------------------ one dump */

static struct kdw *cached_vmlinux(const struct config *cf, const char *path)
{
	int i;

	for (i = 0; i < cf->ncache; i++)
		if (!strcmp(cf->cache[i].path, path))
			return cf->cache[i].w;
	return NULL;
}

/*
 * --debuginfo-dir: find the dump's vmlinux in the parent and index it
 * once, so that the children of every dump of that kernel inherit the
 * index (it takes most of a scan's time).  Failures are left to the
 * child, which reports them.
 */
static void parent_resolve(struct config *cf, const char *path)
{
	struct kd_dump d;
	char vpath[4096], why[512];
	struct kdw *w;

	if (cf->vml || !cf->debuginfo_dir || cf->ncache >= MAX_VMLINUX_CACHE)
		return;
	if (kd_open(&d, path) == 0 &&
	    find_vmlinux(cf->debuginfo_dir, &d, vpath, sizeof(vpath), why,
			 sizeof(why)) == 0 &&
	    !cached_vmlinux(cf, vpath) &&
	    (w = kdw_open(vpath, why, sizeof(why)))) {
		kdw_prewarm(w);
		snprintf(cf->cache[cf->ncache].path, sizeof(cf->cache[0].path),
			 "%s", vpath);
		cf->cache[cf->ncache++].w = w;
	}
	kd_close(&d);
}

static int run_engine(const struct config *cf, struct kd_dump *d, FILE *out,
		      FILE *err)
{
	struct tc_ctx *c = calloc(1, sizeof(*c));
	struct tc_opts o = cf->opts;
	char *walk = NULL;
	size_t wlen = 0;
	int rc;

	if (!c) {
		report_unscanned(cf, out, err, d->path, "out of memory");
		return EXIT_UNSCANNED;
	}
	/* lines printed during the walk (-t, -e, -v) are collected so the
	 * dump key can be added */
	o.out = open_memstream(&walk, &wlen);
	if (!o.out) {
		free(c);
		report_unscanned(cf, out, err, d->path, "out of memory");
		return EXIT_UNSCANNED;
	}
	if (tc_init(c, &d->be, kd_engine_arch(d), &o) < 0 || tc_run(c) < 0) {
		char why[300];

		snprintf(why, sizeof(why), "cannot scan: %s", c->err);
		report_unscanned(cf, out, err, d->path, why);
		rc = EXIT_UNSCANNED;
	} else {
		fflush(o.out);
		print_result(cf, c, d, walk ? walk : "", out);
		rc = c->findings.n + c->findings.dropped ? EXIT_FINDINGS : EXIT_CLEAN;
	}
	fclose(o.out);
	free(walk);
	tc_free(c);
	free(c);
	return rc;
}

static int scan_dump(const struct config *cf, const char *path, FILE *out,
		     FILE *err)
{
	struct kd_dump d;
	struct kdw *vml = cf->vml, *own = NULL;
	int rc = EXIT_UNSCANNED;

	if (kd_open(&d, path) < 0) {
		report_unscanned(cf, out, err, path, d.err);
		goto done;
	}
	if (!vml && !cf->debuginfo_dir) {
		if (kd_attach_dump(&d) < 0) {
			report_unscanned(cf, out, err, path, d.err);
			goto done;
		}
		vml = d.vml;
		goto scan;
	} else if (!vml) {
		char vpath[4096], why[512];

		if (find_vmlinux(cf->debuginfo_dir, &d, vpath, sizeof(vpath),
				 why, sizeof(why)) < 0) {
			/* the dump's own BTF and kallsyms, when it has them */
			if (kd_attach_dump(&d) == 0) {
				vml = d.vml;
				goto scan;
			}
			snprintf(vpath, sizeof(vpath), "%s; %s", why, d.err);
			report_unscanned(cf, out, err, path, vpath);
			goto done;
		}
		vml = cached_vmlinux(cf, vpath);
		if (!vml)
			own = vml = kdw_open(vpath, why, sizeof(why));
		if (!vml) {
			char msg[4700];

			snprintf(msg, sizeof(msg), "vmlinux %s: %s", vpath, why);
			report_unscanned(cf, out, err, path, msg);
			goto done;
		}
	}
	if (kd_attach(&d, vml) < 0) {
		report_unscanned(cf, out, err, path, d.err);
		goto done;
	}
scan:
	rc = run_engine(cf, &d, out, err);
	kdw_save_memo(vml);	/* a cache: failing to write it is no error */
done:
	kd_close(&d);
	kdw_close(own);
	return rc;
}

/* ------------------------------------------------------------ batch */

struct job {
	const char *path;
	pid_t pid;
	FILE *out, *err;	/* the child's output, printed in order */
	int done, rc;
};

static void progress(const struct config *cf, size_t done, size_t total,
		     const char *path)
{
	if (!cf->progress)
		return;
	if (path)
		fprintf(stderr, "\r\033[K%s: [%zu/%zu] %s", prog, done, total, path);
	else
		fprintf(stderr, "\r\033[K");
	fflush(stderr);
}

static void copy_file(FILE *from, FILE *to)
{
	char buf[65536];
	size_t n;

	rewind(from);
	while ((n = fread(buf, 1, sizeof(buf), from)) > 0)
		fwrite(buf, 1, n, to);
}

static int start_job(const struct config *cf, struct job *j)
{
	j->out = tmpfile();
	j->err = tmpfile();
	if (!j->out || !j->err)
		return -1;
	fflush(stdout);
	fflush(stderr);
	j->pid = fork();
	if (j->pid < 0)
		return -1;
	if (j->pid == 0) {
		int rc = scan_dump(cf, j->path, j->out, j->err);

		fflush(j->out);
		fflush(j->err);
		_exit(rc);
	}
	return 0;
}

static int status_to_rc(struct job *j, int status)
{
	if (WIFEXITED(status) && WEXITSTATUS(status) <= EXIT_UNSCANNED)
		return WEXITSTATUS(status);
	fprintf(j->err, "%s: %s: scanner died (%s %d)\n", prog, j->path,
		WIFSIGNALED(status) ? "signal" : "exit status",
		WIFSIGNALED(status) ? WTERMSIG(status) : WEXITSTATUS(status));
	return EXIT_UNSCANNED;
}

static void finish_job(struct job *j)
{
	if (j->out) {
		copy_file(j->out, stdout);
		fclose(j->out);
	}
	if (j->err) {
		fflush(stdout);
		copy_file(j->err, stderr);
		fclose(j->err);
	}
	j->out = j->err = NULL;
}

static int run_all(struct config *cf, char **paths, size_t n)
{
	struct job *jobs = calloc(n, sizeof(*jobs));
	size_t next = 0, printed = 0, running = 0, finished = 0, i;
	int worst = EXIT_CLEAN;

	if (!jobs) {
		fprintf(stderr, "%s: out of memory\n", prog);
		return EXIT_UNSCANNED;
	}
	for (i = 0; i < n; i++)
		jobs[i].path = paths[i];
	while (printed < n) {
		while (running < (size_t)cf->jobs && next < n) {
			struct job *j = &jobs[next++];

			progress(cf, finished, n, j->path);
			parent_resolve(cf, j->path);
			if (start_job(cf, j) < 0) {
				j->done = 1;
				j->rc = EXIT_UNSCANNED;
				if (j->err)
					fprintf(j->err, "%s: %s: cannot start a scanner: %s\n",
						prog, j->path, strerror(errno));
				else
					fprintf(stderr, "%s: %s: cannot start a scanner: %s\n",
						prog, j->path, strerror(errno));
				finished++;
			} else {
				running++;
			}
		}
		if (running) {
			int status;
			pid_t pid = wait(&status);

			for (i = 0; pid > 0 && i < next; i++)
				if (jobs[i].pid == pid && !jobs[i].done) {
					jobs[i].done = 1;
					jobs[i].rc = status_to_rc(&jobs[i], status);
					running--;
					finished++;
				}
			if (pid < 0 && errno == ECHILD)
				running = 0;
		}
		while (printed < next && jobs[printed].done) {
			progress(cf, finished, n, NULL);
			finish_job(&jobs[printed]);
			if (jobs[printed].rc > worst)
				worst = jobs[printed].rc;
			printed++;
		}
	}
	progress(cf, n, n, NULL);
	free(jobs);
	return worst;
}


/* ------------------------------------------------------------ options */

static void usage(FILE *f)
{
	char arches[128];

	tc_arch_names(arches, sizeof(arches));
	fprintf(f,
"usage: %s [options] VMLINUX VMCORE...\n"
"       %s [options] --debuginfo-dir DIR VMCORE...\n"
"       %s [options] VMCORE...\n"
"Validate every page table of Linux crash dumps (%s) and\n"
"report inconsistencies; the engine of the crash command thpcheck.\n"
"\n"
"  -j, --json            one JSON object per dump per line (thpcheck -j + \"dump\")\n"
"  -t, --tables          inventory: one JSON line per page table\n"
"  -e, --leaves          one JSON line per user leaf (pid, va, pa, size)\n"
"  -s, --summary         one summary line per dump\n"
"  -v, --verbose         also list every table visited (text output)\n"
"  -a, --all             every user mm and the kernel tables (default)\n"
"  -p, --pid PID         only the mm of this pid\n"
"  -m, --mm ADDR         only this mm_struct (hexadecimal)\n"
"  -k, --kernel          only the kernel tables (init_mm)\n"
"  -u, --user            only the user mms\n"
"  -J, --jobs N          scan N dumps in parallel (default 1)\n"
"  -d, --debuginfo-dir DIR  find each dump's vmlinux under DIR by build-id\n"
"                        or release\n"
"  -q, --quiet           no progress line on stderr\n"
"  -x, --explain ADDR    everything known about the table entry at physical\n"
"                        ADDR (with -p/-m: at user virtual address ADDR)\n"
"  -l, --list-signatures list the signatures and exit\n"
"  -V, --version         print the version and exit\n"
"  -h, --help            this text\n"
"\n"
"Without VMLINUX or -d, each dump's kernel is described by the dump itself:\n"
"symbols from its kallsyms (found by VMCOREINFO, v6.0+), struct layouts from\n"
"its BTF (CONFIG_DEBUG_INFO_BTF); what is missing is taken from an earlier\n"
"scan of the same build-id.\n"
"\n"
"Exit status: 0 no findings, 1 findings, 2 a dump could not be scanned.\n",
		prog, prog, prog, arches);
}

static int parse_num(const char *s, int base, unsigned long long *v)
{
	char *end;

	errno = 0;
	*v = strtoull(s, &end, base);
	return errno || end == s || *end ? -1 : 0;
}

static int parse_args(int argc, char **argv, struct config *cf, int *first)
{
	static const struct option lo[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "tables", no_argument, NULL, 't' },
		{ "leaves", no_argument, NULL, 'e' },
		{ "summary", no_argument, NULL, 's' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "all", no_argument, NULL, 'a' },
		{ "pid", required_argument, NULL, 'p' },
		{ "mm", required_argument, NULL, 'm' },
		{ "kernel", no_argument, NULL, 'k' },
		{ "user", no_argument, NULL, 'u' },
		{ "jobs", required_argument, NULL, 'J' },
		{ "debuginfo-dir", required_argument, NULL, 'd' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "list-signatures", no_argument, NULL, 'l' },
		{ "explain", required_argument, NULL, 'x' },
		{ "version", no_argument, NULL, 'V' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	unsigned long long v;
	int ch, quiet = 0;

	cf->jobs = 1;
	cf->opts.scope = TC_SCOPE_ALL;
	while ((ch = getopt_long(argc, argv, "jtesvap:m:kuJ:d:qlx:Vh", lo, NULL)) != -1) {
		switch (ch) {
		case 'j': cf->output = OUT_JSON; break;
		case 't': cf->output = OUT_TABLES; cf->opts.inventory = 1; break;
		case 'e': cf->output = OUT_LEAVES; cf->opts.leaves = 1; break;
		case 's': cf->output = OUT_SUMMARY; break;
		case 'v': cf->opts.verbose = 1; break;
		case 'a': cf->opts.scope = TC_SCOPE_ALL; break;
		case 'k': cf->opts.scope = TC_SCOPE_KERNEL; break;
		case 'u': cf->opts.scope = TC_SCOPE_USER; break;
		case 'q': quiet = 1; break;
		case 'p':
			if (parse_num(optarg, 10, &v) < 0 || v > 0x7fffffff)
				goto bad;
			cf->opts.scope = TC_SCOPE_PID;
			cf->opts.pid = (int)v;
			break;
		case 'm':
			if (parse_num(optarg, 16, &v) < 0)
				goto bad;
			cf->opts.scope = TC_SCOPE_MM;
			cf->opts.mm = v;
			break;
		case 'J':
			if (parse_num(optarg, 10, &v) < 0 || v < 1 || v > MAX_JOBS)
				goto bad;
			cf->jobs = (int)v;
			break;
		case 'd': cf->debuginfo_dir = optarg; break;
		case 'x':
			if (parse_num(optarg, 16, &v) < 0)
				goto bad;
			cf->output = OUT_EXPLAIN;
			cf->xaddr = v;
			break;
		case 'l': tc_print_sigs(stdout); exit(EXIT_CLEAN);
		case 'V': printf("thpscan %s\n", TC_VERSION); exit(EXIT_CLEAN);
		case 'h': usage(stdout); exit(EXIT_CLEAN);
		default: usage(stderr); return -1;
		}
	}
	if (optind >= argc) {
		usage(stderr);
		return -1;
	}
	if (!cf->debuginfo_dir && is_vmlinux_file(argv[optind]))
		cf->vmlinux = argv[optind++];
	if (optind >= argc) {
		fprintf(stderr, "%s: no VMCORE given\n", prog);
		usage(stderr);
		return -1;
	}
	if (cf->output == OUT_EXPLAIN) {
		/* everything is walked so that -x knows it all */
		cf->xscope = cf->opts;
		cf->opts.scope = TC_SCOPE_ALL;
		cf->opts.verbose = 0;
	}
	cf->progress = !quiet && isatty(2);
	*first = optind;
	return 0;
bad:
	fprintf(stderr, "%s: bad value for -%c: %s\n", prog, ch, optarg);
	return -1;
}

int main(int argc, char **argv)
{
	struct config cf;
	int first, rc;

	memset(&cf, 0, sizeof(cf));
	if (parse_args(argc, argv, &cf, &first) < 0)
		return EXIT_UNSCANNED;
	if (cf.vmlinux) {
		char why[300];

		cf.vml = kdw_open(cf.vmlinux, why, sizeof(why));
		if (!cf.vml) {
			fprintf(stderr, "%s: %s: %s\n", prog, cf.vmlinux, why);
			return EXIT_UNSCANNED;
		}
		kdw_prewarm(cf.vml);
	}
	signal(SIGPIPE, SIG_DFL);
	rc = run_all(&cf, argv + first, (size_t)(argc - first));
	kdw_close(cf.vml);
	while (cf.ncache > 0)
		kdw_close(cf.cache[--cf.ncache].w);
	return rc;
}
