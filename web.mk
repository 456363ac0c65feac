# The dashboard (web/): npm packages, the static build the local stack and the deployment serve, its lint and
# unit tests, its types generated from the API's OpenAPI document, and the Chromium the browser tests drive. Each
# step runs only when its inputs changed.

WEB := web
WEB_STAMP := $(WEB)/node_modules/.installed
WEB_BUILD := $(WEB)/dist/index.html
WEB_SOURCES := $(shell find $(WEB)/src $(WEB)/public -type f 2>/dev/null) \
	$(WEB)/index.html $(WEB)/vite.config.ts $(WEB)/tsconfig.json $(WEB)/openapi.json
CHROMIUM := /usr/bin/chromium

.PHONY: web web-test web-lint web-types chromium

$(WEB_STAMP): $(WEB)/package.json $(WEB)/package-lock.json
	cd $(WEB) && npm ci --no-audit --no-fund
	touch $@

$(WEB_BUILD): $(WEB_STAMP) $(WEB_SOURCES)
	cd $(WEB) && npm run build

# The build at web/dist, which `make run` serves at http://127.0.0.1:8000/.
web: $(WEB_BUILD)

web-test: $(WEB_STAMP)
	cd $(WEB) && npx vitest run

# ESLint, then Prettier's check (`npm run format` in web/ formats).
web-lint: $(WEB_STAMP)
	cd $(WEB) && npm run lint

# After a change to the API's models: its OpenAPI document (web/openapi.json) and the dashboard's types generated
# from it (web/src/api/schema.gen.ts), both committed; tests/unit/test_web_api_types.py fails until they are.
web-types: $(PY_STAMP) $(WEB_STAMP)
	$(BIN)/isoflow openapi --output $(WEB)/openapi.json
	cd $(WEB) && npm run generate

# Debian's Chromium for the browser tests (Playwright drives it by path; it never downloads a browser).
$(CHROMIUM):
	apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y chromium

chromium: $(CHROMIUM)
