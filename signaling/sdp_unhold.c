/* Direction rewrite with sofia-sip: parsed without manual mode, each stream's direction is its
 * m_mode (session-level attributes folded in); printed with the mode on every m-line. */
#include "sdp_unhold.h"

#include <stdlib.h>
#include <string.h>

#include <sofia-sip/sdp.h>
#include <sofia-sip/su_alloc.h>

#include "media_plan_guard.h"
#include "media_plan_limits.h"

char *sdp_unhold(const char *sdp, size_t len)
{
	static const struct media_plan_limits lim = {MEDIA_PLAN_MAX_BYTES, MEDIA_PLAN_MAX_STREAMS,
	                                             MEDIA_PLAN_MAX_FORMATS, MEDIA_PLAN_MAX_ATTRS};
	su_home_t home[1] = {SU_HOME_INIT(home)};
	sdp_parser_t *p = NULL;
	sdp_session_t *s;
	sdp_printer_t *pr = NULL;
	char *out = NULL;
	unsigned bad;

	/* The same gate as every SDP we parse (media_plan_parse.c): sofia's parser never returns
	 * on some m= lines and is quadratic in formats x attributes. */
	if (!sdp || !len || memchr(sdp, '\0', len) ||
	    media_plan_limits_check(sdp, len, &lim, NULL, 0) || media_plan_guard(sdp, len, &bad))
		return NULL;
	p = sdp_parse(home, sdp, (isize_t)len, 0);
	s = p ? sdp_session(p) : NULL;
	if (s && !sdp_parsing_error(p)) {
		for (sdp_media_t *m = s->sdp_media; m; m = m->m_next)
			m->m_mode = sdp_sendrecv;
		pr = sdp_print(home, s, NULL, 0, sdp_f_mode_always);
		if (pr && !sdp_printing_error(pr))
			out = strdup(sdp_message(pr));
	}
	if (pr)
		sdp_printer_free(pr);
	if (p)
		sdp_parser_free(p);
	su_home_deinit(home);
	return out;
}
