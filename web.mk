# The dashboard (web/): npm packages, the static build the local stack and the deployment serve, its unit
# tests, and the Chromium the browser tests drive. Each step runs only when its inputs changed.

WEB := web
WEB_STAMP := $(WEB)/node_modules/.installed
WEB_BUILD := $(WEB)/dist/index.html
WEB_SOURCES := $(shell find $(WEB)/src $(WEB)/public -type f 2>/dev/null) \
	$(WEB)/index.html $(WEB)/vite.config.ts $(WEB)/tsconfig.json
CHROMIUM := /usr/bin/chromium

.PHONY: web web-test chromium

$(WEB_STAMP): $(WEB)/package.json $(WEB)/package-lock.json
	cd $(WEB) && npm ci --no-audit --no-fund
	touch $@

$(WEB_BUILD): $(WEB_STAMP) $(WEB_SOURCES)
	cd $(WEB) && npm run build

# The build at web/dist, which `make run` serves at http://127.0.0.1:8000/.
web: $(WEB_BUILD)

web-test: $(WEB_STAMP)
	cd $(WEB) && npx vitest run

# Debian's Chromium for the browser tests (Playwright drives it by path; it never downloads a browser).
$(CHROMIUM):
	apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y chromium

chromium: $(CHROMIUM)
