/* store.h over SQLite: the only file that includes sqlite3.h. WAL lets operators read the
 * tables with the sqlite3 shell while signald writes; synchronous=NORMAL keeps a commit off the
 * disk's flush path (a crash can lose the last registrations, never corrupt the file). */
#include "store_sqlite.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sqlite3.h>

#define SCHEMA_VERSION 5

static const char schema_v1[] =
    "CREATE TABLE sip_registrations ("
    " call_id TEXT NOT NULL,"
    " cseq INTEGER NOT NULL,"
    " sip_user TEXT NOT NULL,"
    " sip_host TEXT NOT NULL,"
    " contact TEXT NOT NULL,"
    " status TEXT NOT NULL,"
    " expires INTEGER NOT NULL,"
    " user_agent TEXT NOT NULL DEFAULT '',"
    " network_ip TEXT NOT NULL,"
    " network_port INTEGER NOT NULL,"
    " network_proto TEXT NOT NULL,"
    " sip_username TEXT NOT NULL,"
    " sip_realm TEXT NOT NULL,"
    " hostname TEXT NOT NULL,"
    " profile_name TEXT NOT NULL,"
    " nat INTEGER NOT NULL DEFAULT 0,"
    " PRIMARY KEY (sip_realm, sip_user, contact));"
    "CREATE INDEX sip_registrations_expires ON sip_registrations (expires);"
    "PRAGMA user_version = 1;";

/* v2: live calls (FreeSWITCH's sip_dialogs, plus the legs' media) and call detail records. */
static const char schema_v2[] =
    "CREATE TABLE sip_dialogs ("
    " call_id TEXT PRIMARY KEY,"
    " b_call_id TEXT NOT NULL DEFAULT '',"
    " direction TEXT NOT NULL DEFAULT 'inbound',"
    " state TEXT NOT NULL,"
    " sip_from_user TEXT NOT NULL, sip_from_host TEXT NOT NULL, sip_from_tag TEXT NOT NULL,"
    " sip_to_user TEXT NOT NULL, sip_to_host TEXT NOT NULL, sip_to_tag TEXT NOT NULL,"
    " contact TEXT NOT NULL DEFAULT '',"
    " user_agent TEXT NOT NULL DEFAULT '',"
    " media_node TEXT NOT NULL DEFAULT '', media_session TEXT NOT NULL DEFAULT '',"
    " hostname TEXT NOT NULL,"
    " created INTEGER NOT NULL, answered INTEGER NOT NULL DEFAULT 0);"
    "CREATE TABLE cdr ("
    " call_id TEXT NOT NULL, caller TEXT NOT NULL, callee TEXT NOT NULL,"
    " destination TEXT NOT NULL, contact TEXT NOT NULL DEFAULT '',"
    " start_epoch INTEGER NOT NULL, answer_epoch INTEGER NOT NULL, end_epoch INTEGER NOT NULL,"
    " duration_ms INTEGER NOT NULL, billsec INTEGER NOT NULL,"
    " hangup_cause TEXT NOT NULL, q850_cause INTEGER NOT NULL, hangup_side TEXT NOT NULL,"
    " sip_status INTEGER NOT NULL,"
    " media_node TEXT NOT NULL DEFAULT '', media_session TEXT NOT NULL DEFAULT '',"
    " rtp_packets_a INTEGER NOT NULL DEFAULT 0, rtp_packets_b INTEGER NOT NULL DEFAULT 0,"
    " hostname TEXT NOT NULL);"
    "CREATE INDEX cdr_start ON cdr (start_epoch);"
    "PRAGMA user_version = 2;";

/* v3: sip_dialogs keyed by a row id of its own: a Call-ID is the caller's choice, and a second
 * call with the same one (by accident or on purpose) replaced the first call's row. The process
 * that owns a row is recorded with the node, so rows left by a crash can be told apart. */
#define DIALOG_COLUMNS                                                                             \
	"call_id, b_call_id, direction, state, sip_from_user, sip_from_host, sip_from_tag,"        \
	" sip_to_user, sip_to_host, sip_to_tag, contact, user_agent, media_node, media_session,"   \
	" hostname, created, answered"
static const char schema_v3[] =
    "CREATE TABLE sip_dialogs_v3 ("
    " id INTEGER PRIMARY KEY AUTOINCREMENT,"
    " call_id TEXT NOT NULL,"
    " b_call_id TEXT NOT NULL DEFAULT '',"
    " direction TEXT NOT NULL DEFAULT 'inbound',"
    " state TEXT NOT NULL,"
    " sip_from_user TEXT NOT NULL, sip_from_host TEXT NOT NULL, sip_from_tag TEXT NOT NULL,"
    " sip_to_user TEXT NOT NULL, sip_to_host TEXT NOT NULL, sip_to_tag TEXT NOT NULL,"
    " contact TEXT NOT NULL DEFAULT '',"
    " user_agent TEXT NOT NULL DEFAULT '',"
    " media_node TEXT NOT NULL DEFAULT '', media_session TEXT NOT NULL DEFAULT '',"
    " hostname TEXT NOT NULL,"
    " created INTEGER NOT NULL, answered INTEGER NOT NULL DEFAULT 0,"
    " pid INTEGER NOT NULL DEFAULT 0);"
    "INSERT INTO sip_dialogs_v3 (" DIALOG_COLUMNS ") SELECT " DIALOG_COLUMNS " FROM sip_dialogs;"
    "DROP TABLE sip_dialogs;"
    "ALTER TABLE sip_dialogs_v3 RENAME TO sip_dialogs;"
    "CREATE INDEX sip_dialogs_call_id ON sip_dialogs (call_id);"
    "CREATE INDEX sip_dialogs_hostname ON sip_dialogs (hostname);"
    "PRAGMA user_version = 3;";

/* v4: what a restarted signald needs to continue a confirmed call, one row per sip_dialogs
 * row, gone with it (the trigger stands for a foreign key with ON DELETE CASCADE, which SQLite
 * enforces only when asked on every connection). */
#define CALL_LEG_COLUMNS(p)                                                                        \
	p "local, " p "remote, " p "target, " p "route, " p "proxy, " p "src_ip, " p "sdp, " p     \
	  "sdp_sent"
#define CALL_COLUMNS                                                                               \
	"call_id, b_call_id, caller, caller_host, callee, destination, from_tag, user_agent,"      \
	" from_header, to_header, contact, media_node, media_session, " CALL_LEG_COLUMNS(          \
	    "a_") ", " CALL_LEG_COLUMNS("b_") ", dialog_id, start_epoch, answer_epoch,"            \
	                                      " media_instance, a_cseq, b_cseq"
#define CALL_LEG_DEFS(p)                                                                           \
	p "local TEXT NOT NULL, " p "remote TEXT NOT NULL, " p "target TEXT NOT NULL, " p          \
	  "route TEXT NOT NULL, " p "proxy TEXT NOT NULL, " p "src_ip TEXT NOT NULL, " p           \
	  "sdp TEXT NOT NULL, " p "sdp_sent TEXT NOT NULL, " p "cseq INTEGER NOT NULL,"
static const char schema_v4[] =
    "CREATE TABLE sip_calls ("
    " dialog_id INTEGER PRIMARY KEY,"
    " call_id TEXT NOT NULL, b_call_id TEXT NOT NULL, caller TEXT NOT NULL,"
    " caller_host TEXT NOT NULL, callee TEXT NOT NULL, destination TEXT NOT NULL,"
    " from_tag TEXT NOT NULL, user_agent TEXT NOT NULL, from_header TEXT NOT NULL,"
    " to_header TEXT NOT NULL, contact TEXT NOT NULL, media_node TEXT NOT NULL,"
    " media_session TEXT NOT NULL, media_instance INTEGER NOT NULL,"
    " start_epoch INTEGER NOT NULL, answer_epoch INTEGER NOT NULL, " CALL_LEG_DEFS(
        "a_") " " CALL_LEG_DEFS("b_") " updated INTEGER NOT NULL DEFAULT 0);"
                                      "CREATE TRIGGER sip_calls_with_dialog AFTER DELETE ON "
                                      "sip_dialogs"
                                      " BEGIN DELETE FROM sip_calls WHERE dialog_id = old.id; "
                                      "END;"
                                      "PRAGMA user_version = 4;";

/* v5: the call's recording (record_session), as the media node reported it last. */
static const char schema_v5[] = "ALTER TABLE cdr ADD COLUMN record_path TEXT NOT NULL DEFAULT '';"
                                "ALTER TABLE cdr ADD COLUMN record_ms INTEGER NOT NULL DEFAULT 0;"
                                "ALTER TABLE cdr ADD COLUMN record_bytes INTEGER NOT NULL "
                                "DEFAULT 0;"
                                "PRAGMA user_version = 5;";

#define COLUMNS                                                                                    \
	"call_id, cseq, sip_user, sip_host, contact, status, expires, user_agent, network_ip, "    \
	"network_port, network_proto, sip_username, sip_realm, hostname, profile_name, nat"

enum stmt {
	ST_BEGIN,
	ST_COMMIT,
	ST_ROLLBACK,
	ST_SAVE,
	ST_LOOKUP,
	ST_LIST,
	ST_REMOVE_ONE,
	ST_REMOVE_ALL,
	ST_PURGE,
	ST_COUNT,
	ST_DLG_ADD,
	ST_DLG_UPDATE,
	ST_DLG_REMOVE,
	ST_DLG_ORPHANS,
	ST_DLG_COUNT,
	ST_CDR_ADD,
	ST_CALL_SAVE,
	ST_CALL_ORPHANS,
	ST_CALL_TAKE,
	ST__N
};

static const char *const stmt_sql[ST__N] = {
    [ST_BEGIN] = "BEGIN IMMEDIATE",
    [ST_COMMIT] = "COMMIT",
    [ST_ROLLBACK] = "ROLLBACK",
    [ST_SAVE] = "INSERT OR REPLACE INTO sip_registrations (" COLUMNS
                ") VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16)",
    [ST_LOOKUP] = "SELECT " COLUMNS " FROM sip_registrations"
                  " WHERE sip_user = ?1 AND sip_realm = ?2 AND expires > ?3"
                  " ORDER BY expires DESC, contact",
    [ST_LIST] = "SELECT " COLUMNS " FROM sip_registrations WHERE expires > ?1"
                " ORDER BY sip_user, sip_realm, expires DESC, contact LIMIT ?2",
    [ST_REMOVE_ONE] = "DELETE FROM sip_registrations"
                      " WHERE sip_user = ?1 AND sip_realm = ?2 AND contact = ?3",
    [ST_REMOVE_ALL] = "DELETE FROM sip_registrations WHERE sip_user = ?1 AND sip_realm = ?2",
    [ST_PURGE] = "DELETE FROM sip_registrations WHERE expires <= ?1",
    [ST_COUNT] = "SELECT count(*) FROM sip_registrations WHERE expires > ?1",
    [ST_DLG_ADD] = "INSERT INTO sip_dialogs (" DIALOG_COLUMNS ", pid) VALUES (?1, ?2, 'inbound',"
                   " ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?18)",
    [ST_DLG_UPDATE] = "UPDATE sip_dialogs SET call_id = ?1, b_call_id = ?2, state = ?3,"
                      " sip_from_user = ?4, sip_from_host = ?5, sip_from_tag = ?6,"
                      " sip_to_user = ?7, sip_to_host = ?8, sip_to_tag = ?9, contact = ?10,"
                      " user_agent = ?11, media_node = ?12, media_session = ?13, hostname = ?14,"
                      " created = ?15, answered = ?16, pid = ?18 WHERE id = ?17",
    [ST_DLG_REMOVE] = "DELETE FROM sip_dialogs WHERE id = ?1",
    [ST_DLG_ORPHANS] = "DELETE FROM sip_dialogs WHERE hostname = ?1 AND pid <> ?2",
    [ST_DLG_COUNT] = "SELECT count(*) FROM sip_dialogs",
    [ST_CDR_ADD] = "INSERT INTO cdr (call_id, caller, callee, destination, contact, start_epoch,"
                   " answer_epoch, end_epoch, duration_ms, billsec, hangup_cause, q850_cause,"
                   " hangup_side, sip_status, media_node, media_session, rtp_packets_a,"
                   " rtp_packets_b, hostname, record_path, record_ms, record_bytes) VALUES (?1,"
                   " ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18,"
                   " ?19, ?20, ?21, ?22)",
    [ST_CALL_SAVE] = "INSERT OR REPLACE INTO sip_calls (" CALL_COLUMNS ") VALUES (?1, ?2, ?3,"
                     " ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19,"
                     " ?20, ?21, ?22, ?23, ?24, ?25, ?26, ?27, ?28, ?29, ?30, ?31, ?32, ?33, ?34,"
                     " ?35)",
    [ST_CALL_ORPHANS] = "SELECT " CALL_COLUMNS " FROM sip_calls WHERE dialog_id IN"
                        " (SELECT id FROM sip_dialogs WHERE hostname = ?1 AND pid <> ?2)",
    [ST_CALL_TAKE] = "UPDATE sip_dialogs SET pid = ?2 WHERE id = ?1",
};

struct store_sqlite {
	struct store base; /* first: the store.h handle */
	sqlite3 *db;
	sqlite3_stmt *st[ST__N];
};

static struct store_sqlite *of(struct store *st)
{
	return (struct store_sqlite *)st;
}

/* Runs a statement that returns no rows, then resets it. */
static int step_done(sqlite3_stmt *s)
{
	int rc = sqlite3_step(s);

	sqlite3_reset(s);
	sqlite3_clear_bindings(s);
	return rc == SQLITE_DONE ? 0 : -EIO;
}

/* Dialog and CDR writes join one open transaction that store_flush commits: at 1000 calls/s
 * that is tens of commits a second instead of thousands, each with its WAL write and locks. */
static int batch_enter(struct store_sqlite *sq)
{
	int rc;

	if (!sqlite3_get_autocommit(sq->db))
		return 0;
	rc = step_done(sq->st[ST_BEGIN]);
	if (!rc && sq->base.batch_opened)
		sq->base.batch_opened(sq->base.batch_arg);
	return rc;
}

static int sq_flush(struct store *st)
{
	if (sqlite3_get_autocommit(of(st)->db))
		return 0;
	return step_done(of(st)->st[ST_COMMIT]);
}

static int sq_begin(struct store *st)
{
	int rc = sq_flush(st);

	return rc ? rc : step_done(of(st)->st[ST_BEGIN]);
}

static int sq_commit(struct store *st)
{
	return step_done(of(st)->st[ST_COMMIT]);
}

static void sq_rollback(struct store *st)
{
	if (!sqlite3_get_autocommit(of(st)->db))
		step_done(of(st)->st[ST_ROLLBACK]);
}

static void bind_text(sqlite3_stmt *s, int i, const char *v)
{
	sqlite3_bind_text(s, i, v ? v : "", -1, SQLITE_STATIC);
}

static int sq_reg_save(struct store *st, const struct store_reg *r)
{
	sqlite3_stmt *s = of(st)->st[ST_SAVE];

	bind_text(s, 1, r->call_id);
	sqlite3_bind_int64(s, 2, r->cseq);
	bind_text(s, 3, r->sip_user);
	bind_text(s, 4, r->sip_host);
	bind_text(s, 5, r->contact);
	bind_text(s, 6, r->status);
	sqlite3_bind_int64(s, 7, r->expires);
	bind_text(s, 8, r->user_agent);
	bind_text(s, 9, r->network_ip);
	sqlite3_bind_int(s, 10, (int)r->network_port);
	bind_text(s, 11, r->network_proto);
	bind_text(s, 12, r->sip_username);
	bind_text(s, 13, r->sip_realm);
	bind_text(s, 14, r->hostname);
	bind_text(s, 15, r->profile_name);
	sqlite3_bind_int(s, 16, r->nat);
	return step_done(s);
}

static char *col_dup(sqlite3_stmt *s, int i)
{
	const unsigned char *t = sqlite3_column_text(s, i);

	return strdup(t ? (const char *)t : "");
}

static int read_row(sqlite3_stmt *s, struct store_reg *r)
{
	r->call_id = col_dup(s, 0);
	r->cseq = (uint32_t)sqlite3_column_int64(s, 1);
	r->sip_user = col_dup(s, 2);
	r->sip_host = col_dup(s, 3);
	r->contact = col_dup(s, 4);
	r->status = col_dup(s, 5);
	r->expires = sqlite3_column_int64(s, 6);
	r->user_agent = col_dup(s, 7);
	r->network_ip = col_dup(s, 8);
	r->network_port = (unsigned)sqlite3_column_int(s, 9);
	r->network_proto = col_dup(s, 10);
	r->sip_username = col_dup(s, 11);
	r->sip_realm = col_dup(s, 12);
	r->hostname = col_dup(s, 13);
	r->profile_name = col_dup(s, 14);
	r->nat = sqlite3_column_int(s, 15) != 0;
	return r->call_id && r->sip_user && r->sip_host && r->contact && r->status &&
	               r->user_agent && r->network_ip && r->network_proto && r->sip_username &&
	               r->sip_realm && r->hostname && r->profile_name
	           ? 0
	           : -ENOMEM;
}

/* The rows of bound statement s, into out. */
static int read_rows(sqlite3_stmt *s, struct store_reg_list *out)
{
	size_t cap = 0;
	int rc = 0, step;

	out->v = NULL;
	out->n = 0;
	while (!rc && (step = sqlite3_step(s)) == SQLITE_ROW) {
		if (out->n == cap) {
			struct store_reg *nv;

			cap = cap ? cap * 2 : 4;
			nv = realloc(out->v, cap * sizeof(*nv));
			if (!nv) {
				rc = -ENOMEM;
				break;
			}
			out->v = nv;
		}
		memset(&out->v[out->n], 0, sizeof(out->v[0]));
		rc = read_row(s, &out->v[out->n++]);
	}
	if (!rc && step != SQLITE_DONE)
		rc = -EIO;
	sqlite3_reset(s);
	sqlite3_clear_bindings(s);
	if (rc)
		store_reg_list_free(out);
	return rc;
}

static int sq_reg_lookup(struct store *st, const char *user, const char *realm, int64_t now,
                         struct store_reg_list *out)
{
	sqlite3_stmt *s = of(st)->st[ST_LOOKUP];

	bind_text(s, 1, user);
	bind_text(s, 2, realm);
	sqlite3_bind_int64(s, 3, now);
	return read_rows(s, out);
}

static int sq_reg_list(struct store *st, int64_t now, size_t limit, struct store_reg_list *out)
{
	sqlite3_stmt *s = of(st)->st[ST_LIST];

	sqlite3_bind_int64(s, 1, now);
	sqlite3_bind_int64(s, 2, (sqlite3_int64)limit);
	return read_rows(s, out);
}

static int sq_reg_remove(struct store *st, const char *user, const char *realm, const char *contact)
{
	sqlite3_stmt *s = of(st)->st[contact ? ST_REMOVE_ONE : ST_REMOVE_ALL];

	bind_text(s, 1, user);
	bind_text(s, 2, realm);
	if (contact)
		bind_text(s, 3, contact);
	return step_done(s);
}

static int sq_reg_purge_expired(struct store *st, int64_t now, unsigned *removed)
{
	sqlite3_stmt *s = of(st)->st[ST_PURGE];
	int rc;

	sqlite3_bind_int64(s, 1, now);
	rc = step_done(s);
	if (!rc && removed)
		*removed = (unsigned)sqlite3_changes(of(st)->db);
	return rc;
}

static int sq_reg_count(struct store *st, int64_t now, unsigned *count)
{
	sqlite3_stmt *s = of(st)->st[ST_COUNT];
	int rc = -EIO;

	sqlite3_bind_int64(s, 1, now);
	if (sqlite3_step(s) == SQLITE_ROW) {
		*count = (unsigned)sqlite3_column_int64(s, 0);
		rc = 0;
	}
	sqlite3_reset(s);
	sqlite3_clear_bindings(s);
	return rc;
}

static int sq_dialog_save(struct store *st, const struct store_dialog *d, int64_t *id)
{
	struct store_sqlite *sq = of(st);
	sqlite3_stmt *s = sq->st[*id ? ST_DLG_UPDATE : ST_DLG_ADD];
	const char *text[] = {d->call_id,       d->b_call_id, d->state,      d->from_user,
	                      d->from_host,     d->from_tag,  d->to_user,    d->to_host,
	                      d->to_tag,        d->contact,   d->user_agent, d->media_node,
	                      d->media_session, d->hostname};
	int i, rc;

	if (batch_enter(sq))
		return -EIO;
	for (i = 0; i < (int)(sizeof(text) / sizeof(text[0])); i++)
		bind_text(s, i + 1, text[i]);
	sqlite3_bind_int64(s, ++i, d->created);
	sqlite3_bind_int64(s, ++i, d->answered);
	if (*id)
		sqlite3_bind_int64(s, 17, *id);
	sqlite3_bind_int64(s, 18, (sqlite3_int64)getpid());
	rc = step_done(s);
	if (!rc && !*id)
		*id = sqlite3_last_insert_rowid(sq->db);
	return rc;
}

static int sq_dialog_remove(struct store *st, int64_t id)
{
	sqlite3_stmt *s = of(st)->st[ST_DLG_REMOVE];

	if (batch_enter(of(st)))
		return -EIO;
	sqlite3_bind_int64(s, 1, id);
	return step_done(s);
}

/* Rows of this node written by another process: a signald that stopped without ending its
 * calls (a crash, a kill), and not taken back by call_take_orphans. */
static int sq_dialog_drop_orphans(struct store *st, const char *hostname, unsigned *removed)
{
	sqlite3_stmt *s = of(st)->st[ST_DLG_ORPHANS];
	int rc;

	rc = sq_flush(st);
	if (rc)
		return rc;
	bind_text(s, 1, hostname);
	sqlite3_bind_int64(s, 2, (sqlite3_int64)getpid());
	rc = step_done(s);
	if (!rc && removed)
		*removed = (unsigned)sqlite3_changes(of(st)->db);
	return rc;
}

static int sq_dialog_count(struct store *st, unsigned *count)
{
	sqlite3_stmt *s = of(st)->st[ST_DLG_COUNT];
	int rc = -EIO;

	if (sqlite3_step(s) == SQLITE_ROW) {
		*count = (unsigned)sqlite3_column_int64(s, 0);
		rc = 0;
	}
	sqlite3_reset(s);
	return rc;
}

/* The columns after the texts, in CALL_COLUMNS order. */
enum { CALL_COL_ID = SC__N, CALL_COL_START, CALL_COL_ANSWER, CALL_COL_INSTANCE, CALL_COL_CSEQ };

static int sq_call_save(struct store *st, const struct store_call *c)
{
	sqlite3_stmt *s = of(st)->st[ST_CALL_SAVE];

	if (batch_enter(of(st)))
		return -EIO;
	for (int i = 0; i < SC__N; i++)
		bind_text(s, i + 1, c->text[i]);
	sqlite3_bind_int64(s, CALL_COL_ID + 1, c->dialog_id);
	sqlite3_bind_int64(s, CALL_COL_START + 1, c->start_epoch);
	sqlite3_bind_int64(s, CALL_COL_ANSWER + 1, c->answer_epoch);
	/* The instance is an opaque 64-bit id: stored as the signed integer of the same bits. */
	sqlite3_bind_int64(s, CALL_COL_INSTANCE + 1, (sqlite3_int64)c->media_instance);
	sqlite3_bind_int64(s, CALL_COL_CSEQ + 1, c->cseq[0]);
	sqlite3_bind_int64(s, CALL_COL_CSEQ + 2, c->cseq[1]);
	return step_done(s);
}

static int sq_call_take_orphans(struct store *st, const char *hostname, store_call_fn fn, void *arg,
                                unsigned *taken)
{
	struct store_sqlite *sq = of(st);
	sqlite3_stmt *s = sq->st[ST_CALL_ORPHANS];
	int64_t *ids = NULL;
	size_t n = 0, cap = 0;
	int rc, step;

	if (taken)
		*taken = 0;
	rc = sq_flush(st);
	if (rc)
		return rc;
	bind_text(s, 1, hostname);
	sqlite3_bind_int64(s, 2, (sqlite3_int64)getpid());
	while ((step = sqlite3_step(s)) == SQLITE_ROW) {
		struct store_call c = {0};

		for (int i = 0; i < SC__N; i++)
			c.text[i] = (const char *)sqlite3_column_text(s, i);
		c.dialog_id = sqlite3_column_int64(s, CALL_COL_ID);
		c.start_epoch = sqlite3_column_int64(s, CALL_COL_START);
		c.answer_epoch = sqlite3_column_int64(s, CALL_COL_ANSWER);
		c.media_instance = (uint64_t)sqlite3_column_int64(s, CALL_COL_INSTANCE);
		c.cseq[0] = (uint32_t)sqlite3_column_int64(s, CALL_COL_CSEQ);
		c.cseq[1] = (uint32_t)sqlite3_column_int64(s, CALL_COL_CSEQ + 1);
		if (fn(arg, &c) != 0)
			continue;
		if (n == cap) {
			int64_t *more = realloc(ids, (cap = cap ? 2 * cap : 16) * sizeof(*ids));

			if (!more) {
				rc = -ENOMEM;
				break;
			}
			ids = more;
		}
		ids[n++] = c.dialog_id;
	}
	if (!rc && step != SQLITE_DONE)
		rc = -EIO;
	sqlite3_reset(s);
	sqlite3_clear_bindings(s);
	/* Taken rows become ours, so that dropping the orphans leaves them. */
	for (size_t i = 0; !rc && i < n; i++) {
		sqlite3_stmt *u = sq->st[ST_CALL_TAKE];

		sqlite3_bind_int64(u, 1, ids[i]);
		sqlite3_bind_int64(u, 2, (sqlite3_int64)getpid());
		rc = step_done(u);
	}
	if (!rc && taken)
		*taken = (unsigned)n;
	free(ids);
	return rc;
}

static int sq_cdr_add(struct store *st, const struct store_cdr *c)
{
	sqlite3_stmt *s = of(st)->st[ST_CDR_ADD];

	if (batch_enter(of(st)))
		return -EIO;
	bind_text(s, 1, c->call_id);
	bind_text(s, 2, c->caller);
	bind_text(s, 3, c->callee);
	bind_text(s, 4, c->destination);
	bind_text(s, 5, c->contact);
	sqlite3_bind_int64(s, 6, c->start_epoch);
	sqlite3_bind_int64(s, 7, c->answer_epoch);
	sqlite3_bind_int64(s, 8, c->end_epoch);
	sqlite3_bind_int64(s, 9, c->duration_ms);
	sqlite3_bind_int64(s, 10, c->billsec);
	bind_text(s, 11, c->hangup_cause);
	sqlite3_bind_int(s, 12, c->q850_cause);
	bind_text(s, 13, c->hangup_side);
	sqlite3_bind_int(s, 14, c->sip_status);
	bind_text(s, 15, c->media_node);
	bind_text(s, 16, c->media_session);
	sqlite3_bind_int64(s, 17, (sqlite3_int64)c->rtp_packets_a);
	sqlite3_bind_int64(s, 18, (sqlite3_int64)c->rtp_packets_b);
	bind_text(s, 19, c->hostname);
	bind_text(s, 20, c->record_path ? c->record_path : "");
	sqlite3_bind_int64(s, 21, (sqlite3_int64)c->record_ms);
	sqlite3_bind_int64(s, 22, (sqlite3_int64)c->record_bytes);
	return step_done(s);
}

static void sq_close(struct store *st)
{
	struct store_sqlite *sq = of(st);

	sq_flush(st);
	for (int i = 0; i < ST__N; i++)
		sqlite3_finalize(sq->st[i]);
	sqlite3_close(sq->db);
	free(sq);
}

static const struct store_ops sqlite_ops = {
    .name = "sqlite",
    .begin = sq_begin,
    .commit = sq_commit,
    .rollback = sq_rollback,
    .reg_save = sq_reg_save,
    .reg_lookup = sq_reg_lookup,
    .reg_list = sq_reg_list,
    .reg_remove = sq_reg_remove,
    .reg_purge_expired = sq_reg_purge_expired,
    .reg_count = sq_reg_count,
    .dialog_save = sq_dialog_save,
    .dialog_remove = sq_dialog_remove,
    .dialog_drop_orphans = sq_dialog_drop_orphans,
    .dialog_count = sq_dialog_count,
    .call_save = sq_call_save,
    .call_take_orphans = sq_call_take_orphans,
    .cdr_add = sq_cdr_add,
    .flush = sq_flush,
    .close = sq_close,
};

static int user_version(sqlite3 *db, int *v)
{
	sqlite3_stmt *s;
	int rc = -EIO;

	if (sqlite3_prepare_v2(db, "PRAGMA user_version", -1, &s, NULL) != SQLITE_OK)
		return -EIO;
	if (sqlite3_step(s) == SQLITE_ROW) {
		*v = sqlite3_column_int(s, 0);
		rc = 0;
	}
	sqlite3_finalize(s);
	return rc;
}

/* Brings the schema to SCHEMA_VERSION; each future version adds one step here. */
static int migrate(sqlite3 *db, const char *path, char *err, size_t errlen)
{
	char *msg = NULL;
	int v;

	if (user_version(db, &v)) {
		snprintf(err, errlen, "%s: cannot read the schema version: %s", path,
		         sqlite3_errmsg(db));
		return -EIO;
	}
	if (v > SCHEMA_VERSION) {
		snprintf(err, errlen,
		         "%s: schema version %d is newer than this signald understands (%d)", path,
		         v, SCHEMA_VERSION);
		return -EINVAL;
	}
	if (v == SCHEMA_VERSION)
		return 0;
	/* Each step and its version go in one transaction. */
	if (sqlite3_exec(db, "BEGIN", NULL, NULL, &msg) != SQLITE_OK ||
	    (v < 1 && sqlite3_exec(db, schema_v1, NULL, NULL, &msg) != SQLITE_OK) ||
	    (v < 2 && sqlite3_exec(db, schema_v2, NULL, NULL, &msg) != SQLITE_OK) ||
	    (v < 3 && sqlite3_exec(db, schema_v3, NULL, NULL, &msg) != SQLITE_OK) ||
	    (v < 4 && sqlite3_exec(db, schema_v4, NULL, NULL, &msg) != SQLITE_OK) ||
	    (v < 5 && sqlite3_exec(db, schema_v5, NULL, NULL, &msg) != SQLITE_OK) ||
	    sqlite3_exec(db, "COMMIT", NULL, NULL, &msg) != SQLITE_OK) {
		snprintf(err, errlen, "%s: cannot create the schema: %s", path, msg ? msg : "?");
		sqlite3_free(msg);
		sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
		return -EIO;
	}
	return 0;
}

int store_sqlite_open(struct store **out, const char *path, char *err, size_t errlen)
{
	struct store_sqlite *sq = calloc(1, sizeof(*sq));
	char *msg = NULL;
	int rc;

	if (!sq)
		return -ENOMEM;
	sq->base.ops = &sqlite_ops;
	if (sqlite3_open_v2(path, &sq->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL) !=
	    SQLITE_OK) {
		snprintf(err, errlen, "%s: cannot open the database: %s", path,
		         sq->db ? sqlite3_errmsg(sq->db) : "out of memory");
		rc = -EIO;
		goto fail;
	}
	sqlite3_busy_timeout(sq->db, 1000);
	if (sqlite3_exec(sq->db, "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL;", NULL,
	                 NULL, &msg) != SQLITE_OK) {
		snprintf(err, errlen, "%s: cannot switch to WAL: %s", path, msg ? msg : "?");
		sqlite3_free(msg);
		rc = -EIO;
		goto fail;
	}
	rc = migrate(sq->db, path, err, errlen);
	if (rc)
		goto fail;
	for (int i = 0; i < ST__N; i++) {
		if (sqlite3_prepare_v3(sq->db, stmt_sql[i], -1, SQLITE_PREPARE_PERSISTENT,
		                       &sq->st[i], NULL) != SQLITE_OK) {
			snprintf(err, errlen, "%s: %s", path, sqlite3_errmsg(sq->db));
			rc = -EIO;
			goto fail;
		}
	}
	*out = &sq->base;
	return 0;
fail:
	sq_close(&sq->base);
	return rc;
}
