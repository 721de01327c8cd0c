/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libxml2's writer, loaded with dlopen() when a JUnit or HTML report is written rather than when
 * taskstorm starts: libxml2 and ICU, which it links, are 2.3 MiB of resident memory that most runs
 * never use (as systemd loads its optional libraries). The declarations are libxml2's own headers';
 * each function is called through sym_<name>, set by ts_xml_dlopen(). */
#pragma once

#include <libxml/xmlwriter.h>

#define TS_XML_SYMBOLS(X)                                                                                   \
        X(xmlFreeTextWriter)                                                                                \
        X(xmlNewTextWriter)                                                                                 \
        X(xmlNewTextWriterFilename)                                                                         \
        X(xmlOutputBufferClose)                                                                             \
        X(xmlOutputBufferCreateFd)                                                                          \
        X(xmlTextWriterEndAttribute)                                                                        \
        X(xmlTextWriterEndDocument)                                                                         \
        X(xmlTextWriterEndElement)                                                                          \
        X(xmlTextWriterFlush)                                                                               \
        X(xmlTextWriterFullEndElement)                                                                      \
        X(xmlTextWriterSetIndent)                                                                           \
        X(xmlTextWriterStartAttribute)                                                                      \
        X(xmlTextWriterStartDocument)                                                                       \
        X(xmlTextWriterStartElement)                                                                        \
        X(xmlTextWriterWriteAttribute)                                                                      \
        X(xmlTextWriterWriteDTD)                                                                            \
        X(xmlTextWriterWriteRaw)                                                                            \
        X(xmlTextWriterWriteString)

#define TS_XML_DECLARE(name) extern typeof(name) *sym_##name;
TS_XML_SYMBOLS(TS_XML_DECLARE)
#undef TS_XML_DECLARE

/* Loads libxml2 (libxml2.so.16 from 2.14 on, else libxml2.so.2) and every symbol above, once. 0, or
 * -EOPNOTSUPP when it is not installed or lacks one of them (the library package, libxml2, is what the
 * binary needs at run time). */
int ts_xml_dlopen(void);
