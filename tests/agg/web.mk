# The web side of the site aggregator, on its own: a stub aggregator that
# serves fixed data through agg_web_source (tests/agg/web_stub.c), and the
# tests that drive it with curl and headless Chromium (tests/agg/test_web*.sh).
#
#   make web-stub    build/agg/web-stub
#   make check-web   the web tests against it

DEB_PACKAGES += libmicrohttpd-dev chromium chromium-driver curl

WEB_SRCS := src/agg/agg_web.c src/agg/agg_web_sse.c src/agg/agg_web_auth.c \
	src/agg/agg_web_api.c src/agg/agg_web_roles.c
WEB_PC := libmicrohttpd jansson libsodium
WEB_STUB := $(BUILD)/agg/web-stub
WEB_STUB_SAN := $(SAN)/agg/web-stub
WEB_STUB_DEPS := tests/agg/web_stub.c $(WEB_SRCS) src/common/loop.c src/common/clock.c \
	src/common/log.c src/common/readfile.c src/agg/agg_web.h src/agg/agg_web_private.h src/common/readfile.h src/common/util.h \
	src/common/clock.h

.PHONY: web-stub check-web
web-stub: $(WEB_STUB) $(WEB_STUB_SAN)

# Built with everything else where libmicrohttpd is (the sanitizer build
# with the unit tests), so that the aggregator's tier finds them.
ifeq ($(call have,libmicrohttpd),yes)
all: $(WEB_STUB)
units agg-build: $(WEB_STUB_SAN)
endif

# The stub and the web side in one program: -MMD would name its
# dependency file after the first source, so the list above says them.
$(WEB_STUB): $(WEB_STUB_DEPS)
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(INC_AGG) $(shell $(PKG_CONFIG) --cflags $(WEB_PC)) \
		$(filter-out -MMD -MP,$(QG_CFLAGS)) $(CFLAGS) -o $@ $(filter %.c,$^) \
		$(shell $(PKG_CONFIG) --libs $(WEB_PC))

$(WEB_STUB_SAN): $(WEB_STUB_DEPS)
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(INC_AGG) $(shell $(PKG_CONFIG) --cflags $(WEB_PC)) \
		$(filter-out -MMD -MP,$(QG_CFLAGS)) $(CFLAGS) $(SANFLAGS) -o $@ $(filter %.c,$^) \
		$(shell $(PKG_CONFIG) --libs $(WEB_PC))

# tests/agg/run.sh runs tests/agg/test_web*.sh with the rest of the
# aggregator's tier; check-web runs them alone.
check-web: $(WEB_STUB) $(WEB_STUB_SAN)
	tests/agg/test_web.sh $(BUILD)
	tests/agg/test_web_browser.sh $(BUILD)

# The console's files (agg_web_roles.c's table names each), where [web]
# web_root points by default.
.PHONY: install-web
install: install-web
install-web:
	install -d $(DESTDIR)$(PREFIX)/share/qrgate/web
	install -m 644 $(wildcard src/agg/web/*.html src/agg/web/*.js \
		src/agg/web/*.css) $(DESTDIR)$(PREFIX)/share/qrgate/web/
