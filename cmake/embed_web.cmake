# Turns the monitoring page's files (web/index.html, app.css, app.js and
# uPlot's two files from web/node_modules) into one C file: for each, its
# name as served, its content type, its bytes, its length and a strong ETag
# (a SHA-256 prefix of the bytes), with a lookup by name.
# Invoked at build time:
#   cmake -DWEB_DIR=... -DOUT_C=... -DOUT_H=... -P embed_web.cmake
# Each entry of files is "served-name=path relative to WEB_DIR".
set(files
  "index.html=index.html"
  "app.css=app.css"
  "app.js=app.js"
  "uPlot.iife.min.js=node_modules/uplot/dist/uPlot.iife.min.js"
  "uPlot.min.css=node_modules/uplot/dist/uPlot.min.css")

set(c "/* Generated from web/ by cmake/embed_web.cmake: do not edit. */\n#include \"web_embedded.h\"\n#include <string.h>\n\n")
set(table "")
set(i 0)
foreach(entry ${files})
  string(REPLACE "=" ";" parts "${entry}")
  list(GET parts 0 name)
  list(GET parts 1 rel)
  set(path "${WEB_DIR}/${rel}")
  if(NOT EXISTS "${path}")
    message(FATAL_ERROR "web: ${path} is missing (uPlot comes from npm: run scripts/bootstrap)")
  endif()
  if(name MATCHES "\\.html$")
    set(type "text/html; charset=utf-8")
  elseif(name MATCHES "\\.css$")
    set(type "text/css; charset=utf-8")
  elseif(name MATCHES "\\.js$")
    set(type "text/javascript; charset=utf-8")
  else()
    set(type "application/octet-stream")
  endif()
  file(READ "${path}" hex HEX)
  file(SIZE "${path}" len)
  file(SHA256 "${path}" sha)
  string(SUBSTRING "${sha}" 0 32 tag)
  string(REGEX REPLACE "([0-9a-f][0-9a-f])" "0x\\1," hex "${hex}")
  string(APPEND c "static const unsigned char web_${i}[] = {${hex}0};\n")
  string(APPEND table "    {\"${name}\", \"${type}\", web_${i}, ${len}, \"\\\"${tag}\\\"\"},\n")
  math(EXPR i "${i}+1")
endforeach()
string(APPEND c "\nconst struct web_file web_files[] = {\n${table}};\nconst size_t web_files_count = ${i};\n\n")
string(APPEND c "const struct web_file *web_file_find(const char *name)\n{\n    for (size_t i = 0; i < web_files_count; i++)\n        if (strcmp(web_files[i].name, name) == 0)\n            return &web_files[i];\n    return NULL;\n}\n")
file(WRITE "${OUT_C}.tmp" "${c}")
file(WRITE "${OUT_H}.tmp" "/* Generated: the monitoring page's files (web/), embedded by cmake/embed_web.cmake. */
#ifndef PGSHUTTLE_WEB_EMBEDDED_H
#define PGSHUTTLE_WEB_EMBEDDED_H

#include <stddef.h>

struct web_file {
    const char *name;         /* as served: index.html, app.js, ... */
    const char *content_type; /* with charset for text */
    const unsigned char *data;
    size_t len;
    const char *etag; /* strong, quoted: a hash of the bytes */
};

extern const struct web_file web_files[];
extern const size_t web_files_count;

/* The file served as name, or NULL. */
const struct web_file *web_file_find(const char *name);

#endif
")
execute_process(COMMAND ${CMAKE_COMMAND} -E copy_if_different "${OUT_C}.tmp" "${OUT_C}")
execute_process(COMMAND ${CMAKE_COMMAND} -E copy_if_different "${OUT_H}.tmp" "${OUT_H}")
