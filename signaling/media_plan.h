/* The media plan: one SDP body as plain data, in m-line order, with exactly what the B2BUA and
 * mediad need (kind, transport, remote RTP/RTCP addresses, direction, codecs) plus the attributes
 * a relay passes through unchanged (a=fingerprint, a=ssrc...) and the SDES keys (a=crypto).
 * Received SDP is parsed into a plan (media_plan_parse.c), negotiation builds new plans
 * (sdp_negotiate.c), and a plan is printed back to SDP with our address and ports
 * (media_plan_print.c). Only those two files see sofia-sip's SDP structures.
 *
 * Ownership: a plan owns every string and array it points to (one su_home per plan); it is
 * freed with media_plan_free() and shares nothing with the SDP text or the plans it came from.
 * Plans are not thread-safe; signald uses them on its one loop thread. */
#ifndef SIGNALD_MEDIA_PLAN_H
#define SIGNALD_MEDIA_PLAN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <sofia-sip/su_alloc.h>

#include "media_plan_limits.h"

enum media_kind {
	MEDIA_AUDIO = 0,
	MEDIA_VIDEO,
	MEDIA_OTHER, /* text, image, application...: never filtered by codec preferences */
};

/* What the endpoint that wrote the SDP does: bit 0 = it sends, bit 1 = it receives (the values
 * of sofia's sdp_mode_t). The mediad Direction of a leg's stream is this value, as written. */
enum media_dir {
	MEDIA_INACTIVE = 0,
	MEDIA_SENDONLY = 1,
	MEDIA_RECVONLY = 2,
	MEDIA_SENDRECV = 3,
};

enum media_proto {
	MEDIA_PROTO_OTHER = 0, /* not RTP (udptl, TCP, ...): a relay cannot carry it */
	MEDIA_PROTO_RTP_AVP,
	MEDIA_PROTO_RTP_SAVP,
	MEDIA_PROTO_RTP_AVPF,
	MEDIA_PROTO_RTP_SAVPF,
	MEDIA_PROTO_UDP_TLS_RTP_SAVP,
	MEDIA_PROTO_UDP_TLS_RTP_SAVPF,
};

enum media_codec_role {
	MEDIA_CODEC_MEDIA = 0, /* carries the audio or video itself */
	MEDIA_CODEC_DTMF,      /* telephone-event (RFC 4733) */
	MEDIA_CODEC_CN,        /* comfort noise (RFC 3389) */
	MEDIA_CODEC_AUX,       /* red, ulpfec, flexfec, rtx: only useful next to a media codec */
};

/* One a= line: name and value as written; value NULL for a flag such as a=rtcp-mux. */
struct media_attr {
	char *name;
	char *value;
};

struct media_codec {
	unsigned pt;       /* RTP payload type, 0..127 */
	char *name;        /* encoding name as written; "" for a dynamic type without a=rtpmap */
	unsigned rate;     /* clock rate; 0 when unknown */
	unsigned channels; /* from a=rtpmap's third field; 0 when not written */
	char *fmtp;        /* a=fmtp value after the payload type; NULL when none */
	enum media_codec_role role;
	/* Attributes keyed by this payload type other than rtpmap/fmtp (a=rtcp-fb:<pt> nack), value
	 * without the payload type, so they follow the codec when its number is remapped. */
	unsigned n_pt_attrs;
	struct media_attr *pt_attrs;
};

struct media_stream {
	enum media_kind kind;
	char *media; /* m= media token ("audio", "video", "image", "text"...) */
	enum media_proto proto;
	char *proto_name; /* m= transport token as written ("RTP/AVP", "udptl"...) */
	/* Received plans: port 0 in the SDP. Built plans: we refuse this m-line (printed with
	 * port 0, its formats, no attributes). */
	bool rejected;
	/* Remote transport, in received plans of m-lines that are not rejected (NULL/0 otherwise):
	 * c= (media level, else session level) and m= port; a=rtcp or port + 1. */
	char *rtp_ip;
	uint16_t rtp_port;
	char *rtcp_ip;
	uint16_t rtcp_port;
	bool rtcp_mux;  /* a=rtcp-mux: received = offered/accepted; built = we offer/accept it */
	bool null_addr; /* c= 0.0.0.0 or ::, RFC 2543 hold: dir has lost its receive bit */
	enum media_dir dir; /* session- and media-level a=sendrecv/... folded together */
	unsigned ptime;     /* a=ptime in ms; 0 when absent */
	unsigned maxptime;  /* a=maxptime in ms; 0 when absent */
	unsigned n_codecs;  /* RTP m-lines: payload types in m= order, duplicates removed */
	struct media_codec *codecs;
	unsigned n_formats; /* m= format tokens as written (payload numbers for RTP) */
	char **formats;
	/* Media attributes a relay passes through unchanged, in order. Not listed here because the
	 * plan holds them or the printer regenerates them: rtpmap, fmtp, ptime, maxptime, rtcp,
	 * rtcp-mux, the four directions, payload-keyed rtcp-fb, and ICE (candidate, ice-ufrag,
	 * ice-pwd, ice-options, ice-lite, ice-mismatch, remote-candidates, end-of-candidates),
	 * which would describe the far party's addresses instead of the media node's. */
	unsigned n_attrs;
	struct media_attr *attrs;
	/* a=crypto (SDES, RFC 4568), values as written: never passed through, since each leg has
	 * its own keys. Received plans: what the writer offered or answered; built plans: what we
	 * write (sdp_srtp.c), printed after the pass-through attributes. */
	unsigned n_crypto;
	struct media_attr *crypto;
};

struct media_plan {
	su_home_t home[1]; /* private: owns everything below */
	/* o= line of a received SDP (username NULL in built plans): an unchanged id and version
	 * means an unchanged session (RFC 3264 8). */
	char *origin_user;
	uint64_t origin_id;
	uint64_t origin_version;
	unsigned n_attrs; /* session pass-through attributes (same rules; a=group dropped) */
	struct media_attr *attrs;
	unsigned n_streams;
	struct media_stream *streams;
};

/* Differences found by media_plan_diff(), OR-ed together. */
enum media_plan_change {
	MEDIA_PLAN_SAME = 0,
	MEDIA_PLAN_VERSION = 1 << 0,   /* o= username, id or version differ */
	MEDIA_PLAN_STREAMS = 1 << 1,   /* m-line count, kind, transport or rejection differ */
	MEDIA_PLAN_ADDRESS = 1 << 2,   /* an RTP/RTCP address or port, or rtcp-mux, differs */
	MEDIA_PLAN_DIRECTION = 1 << 3, /* a direction differs: hold or resume */
	MEDIA_PLAN_CODECS = 1 << 4,    /* codecs, their order, fmtp, ptime or maxptime differ */
	MEDIA_PLAN_ATTRS = 1 << 5,     /* pass-through or a=crypto attributes differ */
};

/* Where the media node receives one stream of a leg: the ports our SDP gives that leg. */
struct media_plan_port {
	uint16_t rtp;  /* 0: the m-line is refused (printed with port 0) */
	uint16_t rtcp; /* written as a=rtcp:<port>; 0: no a=rtcp line (the peer assumes rtp + 1) */
};

/* The media node's side of one leg, for printing. Borrowed by media_plan_print(). */
struct media_plan_local {
	const char *ip;                      /* c= and o= address: an IPv4 or IPv6 literal */
	unsigned n_ports;                    /* must equal the printed plan's n_streams */
	const struct media_plan_port *ports; /* one per m-line */
};

/* o= bookkeeping of the SDP we send to one leg: zero-initialise it, keep it for the dialog and
 * pass it to every print for that leg. The version goes up exactly when the body changes, so a
 * re-sent unchanged SDP keeps its version (RFC 3264 8). */
struct media_plan_origin {
	uint64_t id;        /* 0: chosen at random by the first print */
	uint64_t version;   /* of the last SDP printed */
	uint64_t body_hash; /* of the last SDP printed, o= line excluded */
	bool sent;          /* a first SDP has been printed */
};

/* Parses an SDP body (offer or answer) into a new plan (*out, owned by the caller). Refuses more
 * than max_streams m-lines. Errors, with one line in why (may be NULL):
 *   -EBADMSG  not SDP sofia can parse, no c=, port out of range, bad payload type or a=rtcp,
 *             c= not an IP literal;
 *   -E2BIG    more than max_streams m-lines;
 *   -ENOTSUP  valid but unusable here: multicast c=, m= port ranges;
 *   -ENOMEM. */
int media_plan_parse(const char *body, size_t len, unsigned max_streams, struct media_plan **out,
                     char *why, size_t whylen);
/* The same within lim (media_plan_limits.h), checked on the text before any parsing: -EMSGSIZE
 * for a body longer than lim->max_bytes, -E2BIG for too many m-lines, formats or attributes.
 * Work is linear in len. media_plan_parse() uses the MEDIA_PLAN_MAX_* defaults. */
int media_plan_parse_limited(const char *body, size_t len, const struct media_plan_limits *lim,
                             struct media_plan **out, char *why, size_t whylen);

/* Prints plan as the SDP we send to one leg: c=/o= at local->ip, m= ports from local->ports,
 * a=rtpmap for every codec, a=fmtp, a=rtcp and a=rtcp-mux as planned, the direction on every
 * m-line, pass-through attributes; refused m-lines (rejected in the plan, port 0 in local, no
 * codec, or a transport other than RTP) with port 0, their formats and no attributes. Updates
 * *origin. *out is a NUL-terminated string the caller frees with free(). Errors: -EINVAL (local
 * does not fit the plan), -ENOMEM, -EIO (sofia could not print), with a line in why. */
int media_plan_print(const struct media_plan *plan, const struct media_plan_local *local,
                     struct media_plan_origin *origin, char **out, char *why, size_t whylen);

/* An empty plan (no streams), or NULL when out of memory. */
struct media_plan *media_plan_new(void);
/* Accepts NULL. */
void media_plan_free(struct media_plan *plan);

/* Gives plan n zeroed streams (replacing none: only for a plan that has no streams yet).
 * Returns 0 or -ENOMEM. */
int media_plan_alloc_streams(struct media_plan *plan, unsigned n);

/* Deep copies into memory owned by plan (builders of new plans use these). 0 or -ENOMEM. */
int media_plan_copy_codec(struct media_plan *plan, struct media_codec *dst,
                          const struct media_codec *src);
int media_plan_copy_attrs(struct media_plan *plan, struct media_attr **dst, unsigned *n_dst,
                          const struct media_attr *src, unsigned n_src);
/* Copies what identifies the m-line (kind, media, proto, formats) but nothing negotiated. */
int media_plan_copy_mline(struct media_plan *plan, struct media_stream *dst,
                          const struct media_stream *src);

/* MEDIA_PLAN_SAME when b describes the same session as a; otherwise the changes. A re-offer
 * whose only change is MEDIA_PLAN_VERSION (or none at all) is a session refresh. */
unsigned media_plan_diff(const struct media_plan *a, const struct media_plan *b);

/* Streams that are neither rejected nor of a transport the relay cannot carry. */
unsigned media_plan_active_streams(const struct media_plan *plan);
bool media_stream_active(const struct media_stream *s);
/* No receive bit (sendonly or inactive, or c=0.0.0.0): the writer put the other party on hold. */
bool media_stream_on_hold(const struct media_stream *s);
/* Payload type of the first telephone-event codec, or -1. */
int media_stream_dtmf_pt(const struct media_stream *s);

/* The direction the other side of a relay must declare: send and receive swapped. */
enum media_dir media_dir_reverse(enum media_dir dir);
const char *media_dir_name(enum media_dir dir); /* "sendrecv", "sendonly"... */
const char *media_kind_name(enum media_kind kind);
const char *media_proto_name(enum media_proto proto); /* canonical token; "" for OTHER */
enum media_codec_role media_codec_role_of(const char *encoding);

#endif
