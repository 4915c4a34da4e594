/* mediactl's request builders: one per command, each parsing its own arguments into an
 * Envelope body. Nested messages and strings come from the arena, freed after the call. */
#ifndef MEDIAD_MEDIACTL_REQ_H
#define MEDIAD_MEDIACTL_REQ_H

#include <stdbool.h>
#include <stddef.h>

#include "pb_arena.h"
#include "rpc.h"

struct ctl_build {
	struct pb_arena arena;
	char err[256]; /* why the arguments were refused */
	/* update: options given only in part; the caller fills the rest from a QuerySession. */
	bool keep_strict, keep_timeout, keep_hold_timeout;
	/* watch */
	long count;      /* events to wait for; 0 = no limit */
	double duration; /* seconds; 0 = no limit */
};

/* Each returns 0, or -EINVAL with b->err saying what is wrong. argv[0] is the command name. */
int ctl_build_ping(int argc, char **argv, struct ctl_build *b, RpcEnvelope *req);
int ctl_build_create(int argc, char **argv, struct ctl_build *b, RpcEnvelope *req);
int ctl_build_update(int argc, char **argv, struct ctl_build *b, RpcEnvelope *req);
int ctl_build_delete(int argc, char **argv, struct ctl_build *b, RpcEnvelope *req);
int ctl_build_query(int argc, char **argv, struct ctl_build *b, RpcEnvelope *req);
/* claim SESSION...: the sessions this client's earlier instance created. */
int ctl_build_claim(int argc, char **argv, struct ctl_build *b, RpcEnvelope *req);
/* drain / undrain, by argv[0]. */
int ctl_build_drain(int argc, char **argv, struct ctl_build *b, RpcEnvelope *req);
int ctl_build_list(int argc, char **argv, struct ctl_build *b, RpcEnvelope *req);
/* watch sends no request of its own: only its --count/--duration are parsed. */
int ctl_build_watch(int argc, char **argv, struct ctl_build *b, RpcEnvelope *req);

/* The media applications (mediactl_apps.c): record, stop-record, play, stop-play, echo,
 * send-dtmf. */
int ctl_build_record(int argc, char **argv, struct ctl_build *b, RpcEnvelope *req);
int ctl_build_stop_record(int argc, char **argv, struct ctl_build *b, RpcEnvelope *req);
int ctl_build_play(int argc, char **argv, struct ctl_build *b, RpcEnvelope *req);
int ctl_build_stop_play(int argc, char **argv, struct ctl_build *b, RpcEnvelope *req);
int ctl_build_echo(int argc, char **argv, struct ctl_build *b, RpcEnvelope *req);
int ctl_build_send_dtmf(int argc, char **argv, struct ctl_build *b, RpcEnvelope *req);

/* Shared by the builders. */
/* Fills b->err; returns -EINVAL. */
int ctl_fail(struct ctl_build *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* A decimal number up to max. 0 or -EINVAL. */
int ctl_parse_uint(const char *text, unsigned long max, unsigned long *out);
/* The session named by id or by call (exactly one of them). */
int ctl_session_ref(struct ctl_build *b, const char *id, const char *call, RpcSessionRef **out);
/* Runs getopt_long over a command's arguments, calling fn per option; positional arguments go
 * to pos[] (at most maxpos). */
typedef int (*ctl_opt_fn)(int opt, const char *arg, struct ctl_build *b, void *ctx);
struct option;
int ctl_parse_args(int argc, char **argv, const char *shortopts, const struct option *longopts,
                   ctl_opt_fn fn, void *ctx, struct ctl_build *b, const char **pos, int maxpos,
                   int *npos);

/* A stream spec "KIND[:IP:PORT][,OPTION]..." into sp (see mediactl -h). */
int ctl_parse_stream(const char *text, struct ctl_build *b, RpcStreamSpec *sp);
/* "IP:PORT" or "[IPv6]:PORT" into a new Endpoint. */
int ctl_parse_endpoint(const char *text, struct ctl_build *b, RpcEndpoint **out);

#endif
