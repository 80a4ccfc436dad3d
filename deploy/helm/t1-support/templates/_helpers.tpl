{{/* Names and labels. */}}
{{- define "t1.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "t1.fullname" -}}
{{- if .Values.fullnameOverride -}}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- $name := default .Chart.Name .Values.nameOverride -}}
{{- if contains $name .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{- define "t1.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "t1.selectorLabels" -}}
app.kubernetes.io/name: {{ include "t1.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{- define "t1.labels" -}}
helm.sh/chart: {{ include "t1.chart" . }}
{{ include "t1.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: t1-support
{{- end -}}

{{/* Labels of one component: (dict "root" $ "name" "message-saver"). */}}
{{- define "t1.componentSelectorLabels" -}}
{{ include "t1.selectorLabels" .root }}
app.kubernetes.io/component: {{ .name }}
{{- end -}}

{{- define "t1.componentLabels" -}}
{{ include "t1.labels" .root }}
app.kubernetes.io/component: {{ .name }}
{{- end -}}

{{/* A component's object name: <fullname>-<component>. */}}
{{- define "t1.componentName" -}}
{{- printf "%s-%s" (include "t1.fullname" .root) .name | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "t1.serviceAccountName" -}}
{{- if .Values.serviceAccount.create -}}
{{- default (include "t1.fullname" .) .Values.serviceAccount.name -}}
{{- else -}}
{{- default "default" .Values.serviceAccount.name -}}
{{- end -}}
{{- end -}}

{{- define "t1.secretName" -}}
{{- default (printf "%s-secrets" (include "t1.fullname" .)) .Values.secrets.existingSecret -}}
{{- end -}}

{{- define "t1.configName" -}}
{{- printf "%s-config" (include "t1.fullname" .) -}}
{{- end -}}

{{- define "t1.image" -}}
{{- $tag := default .Chart.AppVersion .Values.image.tag -}}
{{- if .Values.image.digest -}}
{{- printf "%s@%s" .Values.image.repository .Values.image.digest -}}
{{- else -}}
{{- printf "%s:%s" .Values.image.repository $tag -}}
{{- end -}}
{{- end -}}

{{/* In-cluster DNS name of a component's Service. */}}
{{- define "t1.serviceHost" -}}
{{- printf "%s.%s.svc.%s" (include "t1.componentName" .) .root.Release.Namespace .root.Values.clusterDomain -}}
{{- end -}}

{{/*
The services: Kubernetes name -> values key, module (`python -m`), main port (none for workers), whether
that port is gRPC (headless Service, balanced by the clients), the Kafka consumer group its lag is measured
by, and the Secret keys it reads (every other setting comes from the ConfigMap).
*/}}
{{- define "t1.components" -}}
message-saver:
  key: messageSaver
  module: services.message_saver
  port: {name: grpc, number: 8001}
  headless: true
  group: message_saver
  secrets: [T1_SERVICE_TOKEN, T1_MONGO_URL, T1_REDIS_URL, T1_S3_ACCESS_KEY, T1_S3_SECRET_KEY]
notifications:
  key: notifications
  module: services.notifications
  port: {name: http, number: 8006}
  secrets: [T1_JWT_SECRET, T1_REDIS_URL]
bot:
  key: bot
  module: services.bot
  group: bot
  secrets: [TELEGRAM_BOT_TOKEN, T1_BOT_WEBHOOK_SECRET, T1_REDIS_URL, T1_S3_ACCESS_KEY, T1_S3_SECRET_KEY]
ml:
  key: ml
  module: services.ml
  port: {name: grpc, number: 8004}
  headless: true
  secrets: [T1_SERVICE_TOKEN, T1_MONGO_URL, T1_QDRANT_API_KEY, T1_LLM_API_KEY]
summarizer:
  key: summarizer
  module: services.summarizer
  group: summarizer
  secrets: [T1_SERVICE_TOKEN, T1_LLM_API_KEY]
stats:
  key: stats
  module: services.stats
  port: {name: grpc, number: 8003}
  headless: true
  group: stats
  secrets: [T1_SERVICE_TOKEN, T1_MONGO_URL]
gateway:
  key: gateway
  module: gateway
  port: {name: http, number: 8000}
  secrets: [T1_SERVICE_TOKEN, T1_JWT_SECRET, T1_ADMIN_PASSWORD, T1_MONGO_URL, T1_REDIS_URL, T1_S3_ACCESS_KEY, T1_S3_SECRET_KEY]
{{- end -}}

{{/* The most pods a component may run: its replicas, or the HPA's maximum. */}}
{{- define "t1.maxReplicas" -}}
{{- if .autoscaling.enabled -}}
{{- max (int .replicas) (int .autoscaling.maxReplicas) -}}
{{- else -}}
{{- int .replicas -}}
{{- end -}}
{{- end -}}

{{/* The bot's public webhook URL: bot.webhook.url, or https://<ingress host><path> behind the Ingress. */}}
{{- define "t1.webhookUrl" -}}
{{- $webhook := .Values.bot.webhook -}}
{{- if $webhook.enabled -}}
{{- if $webhook.url -}}
{{- $webhook.url -}}
{{- else if .Values.ingress.enabled -}}
{{- printf "https://%s%s" .Values.ingress.host $webhook.path -}}
{{- else -}}
{{- fail "bot.webhook.enabled needs bot.webhook.url or the Ingress (ingress.enabled and ingress.host)" -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{/* Values that cannot work together stop the install with the reason. */}}
{{- define "t1.validate" -}}
{{- $bot := int (include "t1.maxReplicas" .Values.bot) -}}
{{- if and (gt $bot 1) (not (include "t1.webhookUrl" .)) -}}
{{- fail (printf "bot: %d replicas need webhook mode (bot.webhook.enabled with bot.webhook.url, or the Ingress): long polling allows one receiver" $bot) -}}
{{- end -}}
{{- $ml := int (include "t1.maxReplicas" .Values.ml) -}}
{{- if and (gt $ml 1) (not .Values.qdrant.url) -}}
{{- fail (printf "ml: %d replicas need a Qdrant server (qdrant.url): local mode locks its folder to one process" $ml) -}}
{{- end -}}
{{- if and .Values.bot.webhook.enabled .Values.bot.webhook.url -}}
{{- if not (hasPrefix "https://" .Values.bot.webhook.url) -}}
{{- fail "bot.webhook.url must be an https:// URL (Telegram posts only to HTTPS)" -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{/* redis[s]://[:password@]host:port/db, the password percent-encoded (a space as %20, not +). */}}
{{- define "t1.redisUrl" -}}
{{- $r := .Values.redis -}}
{{- $auth := ternary (printf ":%s@" ($r.password | urlquery | replace "+" "%20")) "" (ne $r.password "") -}}
{{- printf "%s://%s%s:%d/%d" (ternary "rediss" "redis" $r.tls) $auth $r.host (int $r.port) (int $r.db) -}}
{{- end -}}
