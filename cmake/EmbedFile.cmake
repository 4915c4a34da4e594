# cmake -DIN=file -DOUT=file.c -DNAME=symbol -P EmbedFile.cmake: writes file's bytes as a C
# array NAME and its length NAME_len, so that a binary carries the file instead of looking for
# it at run time (mediad's BPF object).
file(READ ${IN} hex HEX)
string(LENGTH "${hex}" n)
math(EXPR len "${n} / 2")
string(REGEX REPLACE "([0-9a-f][0-9a-f])" "0x\\1," body "${hex}")
string(REGEX REPLACE "((0x..,){16})" "\\1\n" body "${body}")
get_filename_component(src ${IN} NAME)
file(WRITE ${OUT} "/* Generated from ${src} by cmake/EmbedFile.cmake: do not edit. */
extern const unsigned char ${NAME}[];
extern const unsigned long ${NAME}_len;
__attribute__((aligned(8))) const unsigned char ${NAME}[] = {
${body}};
const unsigned long ${NAME}_len = ${len};
")
