/* The SQLite backend of store.h: one database file in WAL mode, schema versioned with
 * PRAGMA user_version, prepared statements kept for the life of the store. */
#ifndef SIGNALD_STORE_SQLITE_H
#define SIGNALD_STORE_SQLITE_H

#include <stddef.h>

#include "store.h"

/* Creates or opens path; a database from a newer schema version is refused. */
int store_sqlite_open(struct store **out, const char *path, char *err, size_t errlen);

#endif
