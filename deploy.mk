# Deploying Isoflow to AWS with the CDK. Included from the Makefile (which defines BIN and PY_STAMP; web.mk
# defines WEB_BUILD). The CDK CLI is installed, pinned, under pipeline/node_modules.
#
#   make deploy                      deploy with the current AWS credentials (bootstraps the account first)
#   make deploy ALARM_EMAIL=me@x.y   ... and e-mail the alarms
#   make deploy ALERT_EMAIL=fraud@x.y ALERT_WEBHOOK_SECRET=isoflow/alert-webhook
#                                    ... and send each run's alert of new high-risk anomalies to an e-mail
#                                    address and to the webhook URL kept in that Secrets Manager secret
#   make deploy RETAIN_DATA=false    ... tables and buckets are deleted with the stack (a demo account)
#   make deploy SCHEDULES=off        ... with the generator and detection schedules switched off
#   make deploy CONTEXT="-c batchReservedConcurrency=none"   ... any other context key (pipeline/stack.py)
#   make destroy                     delete the stack
#   make synth                       synthesise cdk.out offline (no credentials, no Docker)

CDK_DIR := pipeline
CDK := $(CDK_DIR)/node_modules/.bin/cdk
CDK_OUTPUTS := cdk.out/outputs.json
CDK_CONTEXT := $(if $(ALARM_EMAIL),-c alarmEmail=$(ALARM_EMAIL)) \
	$(if $(ALERT_EMAIL),-c alertEmail=$(ALERT_EMAIL)) \
	$(if $(ALERT_WEBHOOK_SECRET),-c alertWebhookSecret=$(ALERT_WEBHOOK_SECRET)) \
	$(if $(RETAIN_DATA),-c retainData=$(RETAIN_DATA)) \
	$(if $(SCHEDULES),-c generatorSchedule=$(SCHEDULES) -c detectionSchedule=$(SCHEDULES)) $(CONTEXT)
export JSII_SILENCE_WARNING_DEPRECATED_NODE_VERSION := 1

.PHONY: synth deploy destroy cdk-cli

$(CDK): $(CDK_DIR)/package.json $(CDK_DIR)/package-lock.json
	npm ci --prefix $(CDK_DIR) --no-audit --no-fund
	touch $@

cdk-cli: $(CDK)

synth: $(PY_STAMP) $(CDK) $(WEB_BUILD)
	$(CDK) synth --quiet $(CDK_CONTEXT)

# `cdk bootstrap` is idempotent: it creates or updates the CDK toolkit stack the deployment's assets go to.
deploy: $(PY_STAMP) $(CDK) $(WEB_BUILD)
	$(CDK) bootstrap
	$(CDK) deploy --require-approval never --outputs-file $(CDK_OUTPUTS) $(CDK_CONTEXT)
	$(BIN)/python -m pipeline.health_check $(CDK_OUTPUTS)

destroy: $(PY_STAMP) $(CDK) $(WEB_BUILD)
	$(CDK) destroy --force $(CDK_CONTEXT)
