/* Prints any protobuf-c message through its descriptor: JSON (proto3 JSON mapping, field names
 * as in the .proto) for scripts, or indented "name: value" text for people. mediactl uses it so
 * that a field added to media.proto shows up without touching the CLI. */
#ifndef MEDIAD_PB_PRINT_H
#define MEDIAD_PB_PRINT_H

#include <stdbool.h>
#include <stdio.h>

#include <protobuf-c/protobuf-c.h>

void pb_print_json(FILE *out, const ProtobufCMessage *msg);
/* Text form; fields at their proto3 default (0, "", false, empty) are left out. */
void pb_print_text(FILE *out, const ProtobufCMessage *msg, int indent);

#endif
