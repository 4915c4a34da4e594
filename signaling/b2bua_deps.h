/* The modules the b2bua borrows from main.c, in one place so b2bua_new keeps a short signature. */
#ifndef SIGNALD_B2BUA_DEPS_H
#define SIGNALD_B2BUA_DEPS_H

struct digest;
struct directory;
struct failban;
struct router;
struct store;
struct script_engine;

struct b2bua_deps {
	struct digest *digest;         /* INVITE challenges (407) */
	struct directory *dir;         /* who may call */
	struct failban *failban;       /* shared with the registrar: one ban list per node */
	struct failban *accounts;      /* per-username failures, shared with the registrar */
	struct router *router;         /* dialplan + registered contacts */
	struct store *store;           /* sip_dialogs and CDRs */
	struct script_engine *scripts; /* Lua scripts (lua application, hooks); NULL: none */
};

#endif
