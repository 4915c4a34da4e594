/* The XML loaders with their regexes: the dialplan (dialplan.c, compiled PCRE2 conditions) and
 * the user directory (directory.c), each given the input as its file, then a hunt through the
 * loaded dialplan and look-ups in the loaded directory.
 *
 * Input: the XML, optionally followed by a NUL byte and the destination number to hunt (default
 * "1000"); the caller's channel variables come from the directory when it loaded. */
#include <stdlib.h>

#include "dialplan.h"
#include "directory.h"
#include "fuzz_util.h"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	fuzz_quiet();
	return 0;
}

static void hunt(const struct dialplan *dp, const char *dest, const char *context)
{
	struct dialplan_caller caller = {.destination_number = dest,
	                                 .caller_id_number = "1001",
	                                 .caller_id_name = "Fuzz",
	                                 .network_addr = "192.0.2.1",
	                                 .context = context};
	struct dialplan_vars vars = {0};
	struct dialplan_result res = {0};
	char err[256];

	dialplan_vars_set(&vars, "domain", "example.org");
	if (!dialplan_hunt(dp, &caller, &vars, &res, err, sizeof(err))) {
		for (unsigned i = 0; i < res.n_actions; i++) {
			char *text = NULL;

			dialplan_app_of(res.actions[i].application);
			if (!dialplan_vars_expand(&vars, res.actions[i].data, &text))
				free(text);
			if (dialplan_app_of(res.actions[i].application) == DIALPLAN_APP_SET)
				dialplan_vars_apply_set(&vars, res.actions[i].data);
		}
	}
	dialplan_result_free(&res);
	dialplan_vars_clear(&vars);
}

static void lookups(const struct directory *dir, const char *id)
{
	const struct directory_user *u = directory_find(dir, id, "example.org");

	directory_count(dir);
	if (!u)
		return;
	directory_user_param(u, "password");
	directory_user_param(u, "a1-hash");
	directory_user_var(u, "user_context");
	for (size_t i = 0; i < u->n_vars; i++)
		directory_user_var(u, u->vars[i].name);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *nul = memchr(data, 0, size);
	size_t xml_len = nul ? (size_t)(nul - data) : size;
	char path[64], err[512], *dest = NULL;
	struct dialplan *dp = NULL;
	struct directory *dir = NULL;
	int fd;

	if (size > 64 * 1024)
		return 0;
	dest = nul ? fuzz_strndup(nul + 1, size - xml_len - 1) : strdup("1000");
	fd = dest ? fuzz_file(data, xml_len, path, sizeof(path)) : -1;
	if (fd < 0) {
		free(dest);
		return 0;
	}
	if (!dialplan_load(&dp, path, err, sizeof(err))) {
		hunt(dp, dest, NULL);
		hunt(dp, dest, "public");
		dialplan_free(dp);
	}
	if (!directory_load(&dir, path, "example.org", err, sizeof(err))) {
		lookups(dir, dest);
		lookups(dir, "1000");
		directory_reload(dir, err, sizeof(err));
		directory_free(dir);
	}
	close(fd);
	free(dest);
	return 0;
}
