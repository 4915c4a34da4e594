/* The INI loader (common/config.c) through both daemons' setting tables: the input is the file,
 * and each of its lines is also tried as a --set override. */
#include <stdlib.h>

#include "fuzz_util.h"
#include "mediad_config.h"
#include "signald_config.h"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	fuzz_quiet();
	return 0;
}

static void overrides(const uint8_t *data, size_t size)
{
	char *text = fuzz_strndup(data, size), *save = NULL;
	char err[CFG_ERR_LEN];
	int n = 0;

	if (!text)
		return;
	for (char *line = strtok_r(text, "\n", &save); line && n < 64;
	     line = strtok_r(NULL, "\n", &save), n++) {
		struct mediad_config mc;
		struct signald_config sc;

		mediad_config_load(&mc, NULL, &line, 1, err, sizeof(err));
		mediad_config_free(&mc);
		signald_config_load(&sc, NULL, &line, 1, err, sizeof(err));
		signald_config_free(&sc);
	}
	free(text);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct signald_config sc;
	struct mediad_config mc;
	char path[64], err[CFG_ERR_LEN];
	int fd;

	if (size > 64 * 1024)
		return 0;
	fd = fuzz_file(data, size, path, sizeof(path));
	if (fd < 0)
		return 0;
	signald_config_load(&sc, path, NULL, 0, err, sizeof(err));
	signald_config_free(&sc);
	mediad_config_load(&mc, path, NULL, 0, err, sizeof(err));
	mediad_config_free(&mc);
	close(fd);
	overrides(data, size);
	return 0;
}
