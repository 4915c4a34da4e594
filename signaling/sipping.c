/* tandem-sipping: sends one SIP OPTIONS and reports the answer. Used by quickstart.sh and tests
 * to know that a SIP server is up; exits 0 on a 2xx, 1 on another final answer, 3 on timeout. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sofia-sip/nua.h>
#include <sofia-sip/nua_tag.h>
#include <sofia-sip/sip_tag.h>
#include <sofia-sip/su.h>
#include <sofia-sip/su_log.h>

struct ping {
	su_root_t *root;
	int status;
	char phrase[128];
	int done;
};

static void quiet(void *arg, char const *fmt, va_list ap)
{
}

static void on_event(nua_event_t ev, int status, char const *phrase, nua_t *nua, nua_magic_t *magic,
                     nua_handle_t *nh, nua_hmagic_t *hmagic, sip_t const *sip, tagi_t tags[])
{
	struct ping *p = (struct ping *)magic;

	if (ev == nua_r_options && status >= 200) {
		p->status = status;
		snprintf(p->phrase, sizeof(p->phrase), "%s", phrase ? phrase : "");
		p->done = 1;
		su_root_break(p->root);
	} else if (ev == nua_r_shutdown && status >= 200) {
		su_root_break(p->root);
	}
}

static void on_timeout(su_root_magic_t *m, su_timer_t *t, su_timer_arg_t *arg)
{
	su_root_break(((struct ping *)arg)->root);
}

int main(int argc, char **argv)
{
	struct ping p = {0};
	const char *target, *bind = "sip:127.0.0.1:*";
	int timeout_ms = 2000, rc;
	su_timer_t *timer;
	nua_handle_t *nh;
	nua_t *nua;

	if (argc < 2 || argc > 4) {
		fprintf(stderr, "usage: tandem-sipping sip:HOST:PORT[;transport=tcp] [TIMEOUT_MS] "
		                "[BIND_URL]\n");
		return 2;
	}
	target = argv[1];
	if (argc > 2)
		timeout_ms = atoi(argv[2]);
	if (argc > 3)
		bind = argv[3];
	su_init();
	su_log_redirect(NULL, quiet, NULL);
	p.root = su_root_create(&p);
	su_root_threading(p.root, 0);
	nua = nua_create(p.root, on_event, (nua_magic_t *)&p, NUTAG_URL(bind),
	                 NUTAG_MEDIA_ENABLE(0), TAG_END());
	if (!nua) {
		fprintf(stderr, "tandem-sipping: cannot open a SIP socket on %s\n", bind);
		return 2;
	}
	nh = nua_handle(nua, NULL, NUTAG_URL(target), SIPTAG_TO_STR(target), TAG_END());
	nua_options(nh, TAG_END());
	timer = su_timer_create(su_root_task(p.root), 0);
	su_timer_set_interval(timer, on_timeout, (su_timer_arg_t *)&p, (su_duration_t)timeout_ms);
	su_root_run(p.root);
	if (p.done) {
		printf("%d %s\n", p.status, p.phrase);
		rc = p.status < 300 ? 0 : 1;
	} else {
		fprintf(stderr, "tandem-sipping: no answer from %s within %d ms\n", target,
		        timeout_ms);
		rc = 3;
	}
	nua_handle_destroy(nh);
	su_timer_destroy(timer);
	nua_shutdown(nua);
	timer = su_timer_create(su_root_task(p.root), 0);
	su_timer_set_interval(timer, on_timeout, (su_timer_arg_t *)&p, 1000);
	su_root_run(p.root);
	su_timer_destroy(timer);
	nua_destroy(nua);
	su_root_destroy(p.root);
	su_deinit();
	return rc;
}
