/*
 * payload_parse(): every QR payload kind through the parser table (CCCD,
 * plain badges, signed and dynamic tokens), on bytes straight from a
 * camera.  Besides the sanitizers, it checks what the decision relies
 * on: the kind claimed is one of the table's, text fields are
 * NUL-terminated, and a malformed payload carries no half-parsed field.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "payload.h"
#include "fuzz.h"

static void
check_terminated(const char *field, size_t size)
{
	if (memchr(field, '\0', size) == NULL)
		abort();
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	fuzz_log_quiet();
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t len)
{
	struct payload p;
	int r = payload_parse(data, len, &p);

	switch (r) {
	case PAYLOAD_PASS:
		if (p.kind != CRED_NONE)
			abort();
		break;
	case PAYLOAD_OK:
		if (p.kind <= CRED_NONE || p.kind >= CRED_KIND_COUNT ||
		    p.subject[0] == '\0')
			abort();
		check_terminated(p.subject, sizeof(p.subject));
		check_terminated(p.name, sizeof(p.name));
		check_terminated(p.birth, sizeof(p.birth));
		check_terminated(p.issued, sizeof(p.issued));
		if ((p.kind == CRED_SIGNED || p.kind == CRED_DYNAMIC ||
		    p.kind == CRED_VISITOR) &&
		    (strcmp(p.subject, p.token.id) != 0 ||
		    p.token.body_len > sizeof(p.token.body)))
			abort();
		/* A visitor pass's lanes are never empty, always ended. */
		if (p.kind == CRED_VISITOR && (p.token.lanes[0] == '\0' ||
		    memchr(p.token.lanes, '\0', sizeof(p.token.lanes)) == NULL))
			abort();
		break;
	case PAYLOAD_MALFORMED:
		if (p.kind <= CRED_NONE || p.kind >= CRED_KIND_COUNT ||
		    p.subject[0] != '\0' || p.name[0] != '\0')
			abort();
		break;
	default:
		abort();
	}
	return 0;
}
