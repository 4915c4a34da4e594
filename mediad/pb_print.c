/* Descriptor-driven printers for protobuf-c messages. */
#include "pb_print.h"

#include <inttypes.h>
#include <string.h>

static const void *field_ptr(const ProtobufCMessage *msg, const ProtobufCFieldDescriptor *f)
{
	return (const char *)msg + f->offset;
}

/* For oneof members and proto3 scalars: should this field be printed? */
static bool field_present(const ProtobufCMessage *msg, const ProtobufCFieldDescriptor *f,
                          bool skip_defaults)
{
	const void *p = field_ptr(msg, f);

	if (f->label == PROTOBUF_C_LABEL_REPEATED)
		return *(const size_t *)((const char *)msg + f->quantifier_offset) > 0 ||
		       !skip_defaults;
	if (f->flags & PROTOBUF_C_FIELD_FLAG_ONEOF)
		return *(const uint32_t *)((const char *)msg + f->quantifier_offset) == f->id;
	switch (f->type) {
	case PROTOBUF_C_TYPE_MESSAGE:
		return *(void *const *)p != NULL;
	case PROTOBUF_C_TYPE_STRING:
		return *(char *const *)p && (!skip_defaults || **(char *const *)p);
	default:
		break;
	}
	if (!skip_defaults)
		return true;
	switch (f->type) {
	case PROTOBUF_C_TYPE_BOOL:
		return *(const protobuf_c_boolean *)p;
	case PROTOBUF_C_TYPE_DOUBLE:
		return *(const double *)p != 0;
	case PROTOBUF_C_TYPE_FLOAT:
		return *(const float *)p != 0;
	case PROTOBUF_C_TYPE_INT64:
	case PROTOBUF_C_TYPE_SINT64:
	case PROTOBUF_C_TYPE_SFIXED64:
	case PROTOBUF_C_TYPE_UINT64:
	case PROTOBUF_C_TYPE_FIXED64:
		return *(const uint64_t *)p != 0;
	case PROTOBUF_C_TYPE_BYTES:
		return ((const ProtobufCBinaryData *)p)->len != 0;
	default:
		return *(const uint32_t *)p != 0;
	}
}

static void json_string(FILE *out, const char *s)
{
	fputc('"', out);
	for (; *s; s++) {
		unsigned char ch = (unsigned char)*s;

		if (ch == '"' || ch == '\\')
			fprintf(out, "\\%c", ch);
		else if (ch < 0x20)
			fprintf(out, "\\u%04x", ch);
		else
			fputc(ch, out);
	}
	fputc('"', out);
}

static void scalar(FILE *out, const ProtobufCFieldDescriptor *f, const void *p, bool json)
{
	switch (f->type) {
	case PROTOBUF_C_TYPE_INT32:
	case PROTOBUF_C_TYPE_SINT32:
	case PROTOBUF_C_TYPE_SFIXED32:
		fprintf(out, "%" PRId32, *(const int32_t *)p);
		break;
	case PROTOBUF_C_TYPE_UINT32:
	case PROTOBUF_C_TYPE_FIXED32:
		fprintf(out, "%" PRIu32, *(const uint32_t *)p);
		break;
	case PROTOBUF_C_TYPE_INT64:
	case PROTOBUF_C_TYPE_SINT64:
	case PROTOBUF_C_TYPE_SFIXED64:
		fprintf(out, json ? "\"%" PRId64 "\"" : "%" PRId64, *(const int64_t *)p);
		break;
	case PROTOBUF_C_TYPE_UINT64:
	case PROTOBUF_C_TYPE_FIXED64:
		/* Plain numbers: our counters stay far below 2^53 and scripts prefer numbers. */
		fprintf(out, "%" PRIu64, *(const uint64_t *)p);
		break;
	case PROTOBUF_C_TYPE_FLOAT:
		fprintf(out, "%g", (double)*(const float *)p);
		break;
	case PROTOBUF_C_TYPE_DOUBLE:
		fprintf(out, "%g", *(const double *)p);
		break;
	case PROTOBUF_C_TYPE_BOOL:
		fputs(*(const protobuf_c_boolean *)p ? "true" : "false", out);
		break;
	case PROTOBUF_C_TYPE_ENUM: {
		const ProtobufCEnumValue *v =
		    protobuf_c_enum_descriptor_get_value(f->descriptor, *(const int *)p);

		if (json)
			fprintf(out, "\"%s\"", v ? v->name : "UNKNOWN");
		else
			fputs(v ? v->name : "UNKNOWN", out);
		break;
	}
	case PROTOBUF_C_TYPE_STRING:
		if (json)
			json_string(out, *(char *const *)p ? *(char *const *)p : "");
		else
			fputs(*(char *const *)p ? *(char *const *)p : "", out);
		break;
	case PROTOBUF_C_TYPE_BYTES: {
		const ProtobufCBinaryData *b = p;

		fputs(json ? "\"" : "", out);
		for (size_t i = 0; i < b->len; i++)
			fprintf(out, "%02x", b->data[i]);
		fputs(json ? "\"" : "", out);
		break;
	}
	default:
		break;
	}
}

static size_t elem_size(const ProtobufCFieldDescriptor *f)
{
	switch (f->type) {
	case PROTOBUF_C_TYPE_INT64:
	case PROTOBUF_C_TYPE_SINT64:
	case PROTOBUF_C_TYPE_SFIXED64:
	case PROTOBUF_C_TYPE_UINT64:
	case PROTOBUF_C_TYPE_FIXED64:
	case PROTOBUF_C_TYPE_DOUBLE:
		return 8;
	case PROTOBUF_C_TYPE_STRING:
	case PROTOBUF_C_TYPE_MESSAGE:
		return sizeof(void *);
	case PROTOBUF_C_TYPE_BYTES:
		return sizeof(ProtobufCBinaryData);
	case PROTOBUF_C_TYPE_BOOL:
		return sizeof(protobuf_c_boolean);
	default:
		return 4;
	}
}

static void json_value(FILE *out, const ProtobufCFieldDescriptor *f, const void *p)
{
	if (f->type == PROTOBUF_C_TYPE_MESSAGE)
		pb_print_json(out, *(const ProtobufCMessage *const *)p);
	else
		scalar(out, f, p, true);
}

void pb_print_json(FILE *out, const ProtobufCMessage *msg)
{
	const ProtobufCMessageDescriptor *d = msg->descriptor;
	bool first = true;

	fputc('{', out);
	for (unsigned i = 0; i < d->n_fields; i++) {
		const ProtobufCFieldDescriptor *f = &d->fields[i];
		const void *p = field_ptr(msg, f);

		if (!field_present(msg, f, false))
			continue;
		fprintf(out, "%s\"%s\":", first ? "" : ",", f->name);
		first = false;
		if (f->label == PROTOBUF_C_LABEL_REPEATED) {
			size_t n = *(const size_t *)((const char *)msg + f->quantifier_offset);
			const char *arr = *(const char *const *)p;

			fputc('[', out);
			for (size_t j = 0; j < n; j++) {
				if (j)
					fputc(',', out);
				json_value(out, f, arr + j * elem_size(f));
			}
			fputc(']', out);
		} else {
			json_value(out, f, p);
		}
	}
	fputc('}', out);
}

void pb_print_text(FILE *out, const ProtobufCMessage *msg, int indent)
{
	const ProtobufCMessageDescriptor *d = msg->descriptor;

	for (unsigned i = 0; i < d->n_fields; i++) {
		const ProtobufCFieldDescriptor *f = &d->fields[i];
		const void *p = field_ptr(msg, f);
		size_t n = 1;
		const char *arr = p;

		if (!field_present(msg, f, true))
			continue;
		if (f->label == PROTOBUF_C_LABEL_REPEATED) {
			n = *(const size_t *)((const char *)msg + f->quantifier_offset);
			arr = *(const char *const *)p;
		}
		for (size_t j = 0; j < n; j++) {
			const void *e =
			    arr + j * (f->label == PROTOBUF_C_LABEL_REPEATED ? elem_size(f) : 0);

			if (f->label == PROTOBUF_C_LABEL_REPEATED)
				fprintf(out, "%*s%s[%zu]:", indent, "", f->name, j);
			else
				fprintf(out, "%*s%s:", indent, "", f->name);
			if (f->type == PROTOBUF_C_TYPE_MESSAGE) {
				fputc('\n', out);
				pb_print_text(out, *(const ProtobufCMessage *const *)e, indent + 2);
			} else {
				fputc(' ', out);
				scalar(out, f, e, false);
				fputc('\n', out);
			}
		}
	}
}
