# Deploying Isoflow to AWS with the CDK. Included from the Makefile (which defines BIN and PY_STAMP; web.mk
# defines WEB_BUILD). The CDK CLI is installed, pinned, under pipeline/node_modules. See the README's
# "Deploying to AWS".
#
#   make deploy ALARM_EMAIL=me@x.y   deploy with the current AWS credentials (bootstraps the account first),
#                                    e-mailing the alarms; ALARM_EMAIL=none deploys with no one receiving them
#   make deploy ... DRY_RUN=1        what the deployment would change (cdk diff): reads the account, changes nothing
#   make deploy ... ALERT_EMAIL=fraud@x.y ALERT_WEBHOOK_SECRET=isoflow/alert-webhook
#                                    ... and send each run's alert of new high-risk anomalies to an e-mail
#                                    address and to the webhook URL kept in that Secrets Manager secret
#   make deploy ... RETAIN_DATA=false   tables and buckets are deleted with the stack (a demo account)
#   make deploy ... SCHEDULES=off       with the generator and detection schedules switched off
#   make deploy ... RESERVED_CONCURRENCY=on   reserve each batch function's concurrency (needs a raised quota)
#   make deploy ... MFA=optional        a second factor only for users who have one (default: required)
#   make deploy ... RUN_LOGS=full       log every state's input and output, customers' data included (debugging)
#   make deploy ... CONTEXT="-c detectionEveryMinutes=15"   any other context key (pipeline/stack.py)
#   make destroy                     delete the stack
#   make synth                       synthesise cdk.out offline (no credentials, no Docker) and say what it creates
#
# `make synth` and `make deploy` print what the stack creates and the account quotas it needs before anything
# is deployed; `make deploy` deploys exactly the assembly it printed.

CDK_DIR := pipeline
CDK := $(CDK_DIR)/node_modules/.bin/cdk
CDK_OUT := cdk.out
CDK_TEMPLATE := $(CDK_OUT)/Isoflow.template.json
CDK_OUTPUTS := $(CDK_OUT)/outputs.json
CDK_CONTEXT := $(if $(ALARM_EMAIL),-c alarmEmail=$(ALARM_EMAIL)) \
	$(if $(ALERT_EMAIL),-c alertEmail=$(ALERT_EMAIL)) \
	$(if $(ALERT_WEBHOOK_SECRET),-c alertWebhookSecret=$(ALERT_WEBHOOK_SECRET)) \
	$(if $(RETAIN_DATA),-c retainData=$(RETAIN_DATA)) \
	$(if $(SCHEDULES),-c generatorSchedule=$(SCHEDULES) -c detectionSchedule=$(SCHEDULES)) \
	$(if $(RESERVED_CONCURRENCY),-c reservedConcurrency=$(RESERVED_CONCURRENCY)) \
	$(if $(MFA),-c mfa=$(MFA)) \
	$(if $(filter full,$(RUN_LOGS)),-c fullRunLogs=true) $(CONTEXT)
export JSII_SILENCE_WARNING_DEPRECATED_NODE_VERSION := 1

# Alarms go to an SNS topic; without a subscriber no one hears of a failed run or a throttled function. A
# deployment says who receives them, or says ALARM_EMAIL=none on purpose.
ifneq ($(filter deploy,$(MAKECMDGOALS)),)
ifeq ($(strip $(ALARM_EMAIL)),)
$(error ALARM_EMAIL is not set, so no one would receive the alarms. Deploy with ALARM_EMAIL=you@example.com, or with ALARM_EMAIL=none to deploy without anyone receiving them)
endif
endif

.PHONY: synth deploy destroy cdk-cli

$(CDK): $(CDK_DIR)/package.json $(CDK_DIR)/package-lock.json
	npm ci --prefix $(CDK_DIR) --no-audit --no-fund
	touch $@

cdk-cli: $(CDK)

# The infra tests compare their synth with the CDK CLI's.
test: $(CDK)

synth: $(PY_STAMP) $(CDK) $(WEB_BUILD)
	$(CDK) synth --quiet -o $(CDK_OUT) $(CDK_CONTEXT)
	$(BIN)/python -m pipeline.plan $(CDK_TEMPLATE)

# `cdk bootstrap` is idempotent: it creates or updates the CDK toolkit stack the deployment's assets go to.
deploy: synth
ifeq ($(ALARM_EMAIL),none)
	@echo "WARNING: ALARM_EMAIL=none: the alarms go to an SNS topic with no subscriber; subscribe to the stack's AlarmsTopicArn output to hear of failures" >&2
endif
ifdef DRY_RUN
	$(CDK) diff --app $(CDK_OUT)
else
	$(CDK) bootstrap --app $(CDK_OUT)
	$(CDK) deploy --app $(CDK_OUT) --require-approval never --outputs-file $(CDK_OUTPUTS)
	$(BIN)/python -m pipeline.health_check $(CDK_OUTPUTS)
endif

destroy: $(PY_STAMP) $(CDK) $(WEB_BUILD)
	$(CDK) destroy --force $(CDK_CONTEXT)
