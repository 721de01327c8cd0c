/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* dlopen() of libxml2 for the report writers (xml-dlopen.h says why). */
#include <dlfcn.h>
#include <errno.h>

#include <libxml/xmlversion.h>

#include "xml-dlopen.h"

#define TS_XML_DEFINE(name) typeof(name) *sym_##name;
TS_XML_SYMBOLS(TS_XML_DEFINE)
#undef TS_XML_DEFINE

/* libxml2 2.14 changed its soname from libxml2.so.2 to libxml2.so.16 (sid has it; bookworm and
 * trixie have .2): the one of the headers built against first, then the other. */
static const char *const sonames[] = {
#if LIBXML_VERSION >= 21400
        "libxml2.so.16",
        "libxml2.so.2",
#else
        "libxml2.so.2",
        "libxml2.so.16",
#endif
};

static int load(void) {
        /* Kept loaded for the life of the process: the symbols point into it. */
        void *dl = NULL;
        for (size_t i = 0; !dl && i < sizeof sonames / sizeof sonames[0]; i++)
                dl = dlopen(sonames[i], RTLD_NOW | RTLD_NODELETE);
        if (!dl)
                return -EOPNOTSUPP;
#define TS_XML_LOAD(name)                                                                                   \
        sym_##name = (typeof(name) *)dlsym(dl, #name);                                                      \
        if (!sym_##name)                                                                                    \
                return -EOPNOTSUPP;
        TS_XML_SYMBOLS(TS_XML_LOAD)
#undef TS_XML_LOAD
        return 0;
}

int ts_xml_dlopen(void) {
        static int state = 1; /* 1: not tried yet; then load()'s result */
        if (state == 1)
                state = load();
        return state;
}
