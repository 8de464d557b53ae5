{{/* Names, labels, images, secrets and scheduling shared by the templates. */}}

{{- define "yunshu.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/*
Resource name prefix. Kept to 40 characters so "<prefix>-mongodb-headless" and the StatefulSets'
controller-revision-hash labels stay within Kubernetes' 63-character limits.
*/}}
{{- define "yunshu.fullname" -}}
{{- if .Values.fullnameOverride -}}
{{- .Values.fullnameOverride | trunc 40 | trimSuffix "-" -}}
{{- else -}}
{{- $name := default .Chart.Name .Values.nameOverride -}}
{{- if contains $name .Release.Name -}}
{{- .Release.Name | trunc 40 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name $name | trunc 40 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{- define "yunshu.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/* Selector labels of one component. Usage: include "yunshu.selectorLabels" (dict "ctx" $ "component" "app") */}}
{{- define "yunshu.selectorLabels" -}}
app.kubernetes.io/name: {{ include "yunshu.name" .ctx }}
app.kubernetes.io/instance: {{ .ctx.Release.Name }}
app.kubernetes.io/component: {{ .component }}
{{- end -}}

{{/* All labels of one component's resources. Same arguments as yunshu.selectorLabels. */}}
{{- define "yunshu.labels" -}}
helm.sh/chart: {{ include "yunshu.chart" .ctx }}
{{ include "yunshu.selectorLabels" . }}
app.kubernetes.io/version: {{ .ctx.Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .ctx.Release.Service }}
app.kubernetes.io/part-of: yunshu
{{- with .ctx.Values.commonLabels }}
{{ toYaml . }}
{{- end }}
{{- end -}}

{{- define "yunshu.mongodb.fullname" -}}
{{- printf "%s-mongodb" (include "yunshu.fullname" .) -}}
{{- end -}}

{{- define "yunshu.redis.fullname" -}}
{{- printf "%s-redis" (include "yunshu.fullname" .) -}}
{{- end -}}

{{- define "yunshu.serviceAccountName" -}}
{{- if .Values.serviceAccount.create -}}
{{- default (include "yunshu.fullname" .) .Values.serviceAccount.name -}}
{{- else -}}
{{- default "default" .Values.serviceAccount.name -}}
{{- end -}}
{{- end -}}

{{/*
Image reference. global.imageRegistry, when set, is a prefix that replaces the image's own registry
(mirrors in China usually keep the upstream path). A digest wins over the tag.
Usage: include "yunshu.image" (dict "image" .Values.mongodb.image "ctx" $)
*/}}
{{- define "yunshu.image" -}}
{{- $registry := .image.registry | default "" -}}
{{- with .ctx.Values.global.imageRegistry }}{{ $registry = . }}{{ end -}}
{{- $repository := .image.repository -}}
{{- if $registry }}{{ $repository = printf "%s/%s" (trimSuffix "/" $registry) $repository }}{{ end -}}
{{- if .image.digest -}}
{{- printf "%s@%s" $repository .image.digest -}}
{{- else -}}
{{- printf "%s:%s" $repository (toString (.image.tag | default .ctx.Chart.AppVersion)) -}}
{{- end -}}
{{- end -}}

{{- define "yunshu.imagePullSecrets" -}}
{{- with .Values.global.imagePullSecrets }}
imagePullSecrets:
{{- range . }}
  - name: {{ if kindIs "map" . }}{{ .name }}{{ else }}{{ . }}{{ end }}
{{- end }}
{{- end }}
{{- end -}}

{{/*
Scheduling for one component: the arch node affinity from global.architectures, the anti-affinity
preset, and the component's own affinity (whose nodeAffinity / podAntiAffinity replace the generated
ones). Usage: include "yunshu.affinity" (dict "ctx" $ "component" "app" "values" .Values.app)
*/}}
{{- define "yunshu.affinity" -}}
{{- $affinity := deepCopy (.values.affinity | default dict) -}}
{{- if and (not (hasKey $affinity "nodeAffinity")) .ctx.Values.global.architectures -}}
{{- $term := dict "matchExpressions" (list (dict "key" "kubernetes.io/arch" "operator" "In" "values" .ctx.Values.global.architectures)) -}}
{{- $_ := set $affinity "nodeAffinity" (dict "requiredDuringSchedulingIgnoredDuringExecution" (dict "nodeSelectorTerms" (list $term))) -}}
{{- end -}}
{{- $preset := .values.podAntiAffinityPreset | default "" -}}
{{- if and $preset (not (hasKey $affinity "podAntiAffinity")) -}}
{{- $selector := dict "matchLabels" (include "yunshu.selectorLabels" (dict "ctx" .ctx "component" .component) | fromYaml) -}}
{{- $term := dict "labelSelector" $selector "topologyKey" "kubernetes.io/hostname" -}}
{{- if eq $preset "hard" -}}
{{- $_ := set $affinity "podAntiAffinity" (dict "requiredDuringSchedulingIgnoredDuringExecution" (list $term)) -}}
{{- else if eq $preset "soft" -}}
{{- $_ := set $affinity "podAntiAffinity" (dict "preferredDuringSchedulingIgnoredDuringExecution" (list (dict "weight" 100 "podAffinityTerm" $term))) -}}
{{- else -}}
{{- fail (printf "podAntiAffinityPreset must be \"soft\", \"hard\" or \"\", not %q" $preset) -}}
{{- end -}}
{{- end -}}
{{- with $affinity }}
affinity:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- end -}}

{{/* Spread over nodes and zones, best effort, unless the component lists its own constraints. */}}
{{- define "yunshu.topologySpread" -}}
{{- if .values.topologySpreadConstraints }}
topologySpreadConstraints:
  {{- toYaml .values.topologySpreadConstraints | nindent 2 }}
{{- else if .values.topologySpread.enabled }}
{{- $selector := include "yunshu.selectorLabels" (dict "ctx" .ctx "component" .component) }}
topologySpreadConstraints:
  {{- range list "kubernetes.io/hostname" "topology.kubernetes.io/zone" }}
  - maxSkew: 1
    topologyKey: {{ . }}
    whenUnsatisfiable: ScheduleAnyway
    labelSelector:
      matchLabels:
        {{- $selector | nindent 8 }}
  {{- end }}
{{- end }}
{{- end -}}

{{/*
terminationGracePeriodSeconds: above the server's own shutdown grace (YUNSHU_SHUTDOWN_GRACE_MS) plus
the preStop sleep, or the kubelet's SIGKILL would cut requests the server still means to finish.
Usage: include "yunshu.terminationGrace" (dict "ctx" $ "values" .Values.app "what" "app")
*/}}
{{- define "yunshu.terminationGrace" -}}
{{- $graceSeconds := div (add (int64 .ctx.Values.config.shutdownGraceMs) 999) 1000 -}}
{{- $floor := add $graceSeconds (int64 (.values.preStopSleepSeconds | default 0)) -}}
{{- $set := .values.terminationGracePeriodSeconds -}}
{{- if kindIs "invalid" $set -}}
{{- add $floor 10 -}}
{{- else if le (int64 $set) $floor -}}
{{- fail (printf "%s.terminationGracePeriodSeconds (%v) must exceed config.shutdownGraceMs plus preStopSleepSeconds (%d s)" .what $set $floor) -}}
{{- else -}}
{{- int64 $set -}}
{{- end -}}
{{- end -}}

{{/*
The app's secret env vars: name, existingSecret.keys entry, and whether the workers get it too. The
three officers' passwords (三员: system, security, audit admin) are the server's first-start passwords.
*/}}
{{- define "yunshu.secretEntries" -}}
entries:
  - { env: MONGODB_URL, key: mongodbUrl, worker: true }
  - { env: REDIS_URL, key: redisUrl, worker: true }
  - { env: YUNSHU_MASTER_KEY, key: masterKey, worker: true }
  - { env: YUNSHU_ADMIN_PASSWORD, key: adminPassword, worker: false, password: adminPassword }
  - { env: YUNSHU_SECADMIN_PASSWORD, key: secadminPassword, worker: false, password: secadminPassword }
  - { env: YUNSHU_AUDITADMIN_PASSWORD, key: auditadminPassword, worker: false, password: auditadminPassword }
{{- if .Values.oidc.issuer }}
  - { env: YUNSHU_OIDC_CLIENT_SECRET, key: oidcClientSecret, worker: false }
{{- end }}
{{- end -}}

{{/*
Where each secret env var comes from: {env, secret, key, external, worker, password} per entry,
read from existingSecret when its name and the entry's key are set, else from the chart's Secret.
*/}}
{{- define "yunshu.secretRefs" -}}
{{- $fullname := include "yunshu.fullname" . -}}
{{- $refs := list -}}
{{- range (include "yunshu.secretEntries" . | fromYaml).entries -}}
{{- $key := index $.Values.existingSecret.keys .key | default "" -}}
{{- $ref := dict "env" .env "worker" .worker "password" (.password | default "") -}}
{{- if and $.Values.existingSecret.name $key -}}
{{- $refs = append $refs (merge $ref (dict "secret" $.Values.existingSecret.name "key" $key "external" true)) -}}
{{- else -}}
{{- $refs = append $refs (merge $ref (dict "secret" $fullname "key" .env "external" false)) -}}
{{- end -}}
{{- end -}}
{{- toYaml (dict "refs" $refs) -}}
{{- end -}}

{{/* The ref of one env var. Usage: include "yunshu.secretRef" (dict "ctx" $ "env" "YUNSHU_MASTER_KEY") | fromYaml */}}
{{- define "yunshu.secretRef" -}}
{{- $env := .env -}}
{{- range (include "yunshu.secretRefs" .ctx | fromYaml).refs -}}
{{- if eq .env $env }}{{ toYaml . }}{{ end -}}
{{- end -}}
{{- end -}}

{{/*
A generated password the server accepts (server/model/user.ts: 8+ characters, at least three of
lowercase, uppercase, digits, symbols): the classes are placed, not left to chance, and no symbol
is used so it needs no escaping in URLs or shells. 24 characters, about 130 bits.
*/}}
{{- define "yunshu.generatePassword" -}}
{{- printf "%s%s%s%s" (randAlpha 2 | upper) (randAlpha 2 | lower) (randNumeric 2) (randAlphaNum 18) -}}
{{- end -}}

{{/* True ("true") when the chart renders its own app Secret, i.e. some entry is chart-managed. */}}
{{- define "yunshu.chartSecretNeeded" -}}
{{- range (include "yunshu.secretRefs" . | fromYaml).refs -}}
{{- if not .external }}true{{ end -}}
{{- end -}}
{{- end -}}

{{/* Secret env entries of a container. Usage: include "yunshu.secretEnv" (dict "ctx" $ "worker" false) */}}
{{- define "yunshu.secretEnv" -}}
{{- $worker := .worker -}}
{{- range (include "yunshu.secretRefs" .ctx | fromYaml).refs }}
{{- if or (not $worker) .worker }}
- name: {{ .env }}
  valueFrom:
    secretKeyRef:
      name: {{ .secret }}
      key: {{ .key }}
{{- end }}
{{- end }}
{{- end -}}

{{/* Reads one key of a live Secret (decoded), or "" when the Secret or key is absent (and always under `helm template`). */}}
{{- define "yunshu.liveSecretValue" -}}
{{- $secret := lookup "v1" "Secret" .ctx.Release.Namespace .name -}}
{{- $encoded := dig "data" .key "" ($secret | default dict) -}}
{{- if $encoded }}{{ b64dec $encoded }}{{ end -}}
{{- end -}}

{{/* Fails with a clear message on values that cannot work, before anything reaches the cluster. */}}
{{- define "yunshu.validate" -}}
{{- $mongoExternal := (include "yunshu.secretRef" (dict "ctx" . "env" "MONGODB_URL") | fromYaml).external -}}
{{- $redisExternal := (include "yunshu.secretRef" (dict "ctx" . "env" "REDIS_URL") | fromYaml).external -}}
{{- if and (not .Values.mongodb.enabled) (not $mongoExternal) -}}
{{- if not .Values.externalMongodb.url -}}
{{- fail "mongodb.enabled is false: set externalMongodb.url, or existingSecret.name with existingSecret.keys.mongodbUrl, so the app has a MONGODB_URL" -}}
{{- end -}}
{{- if not (regexMatch "^mongodb(\\+srv)?://" .Values.externalMongodb.url) -}}
{{- fail "externalMongodb.url must be a mongodb:// or mongodb+srv:// URL" -}}
{{- end -}}
{{- end -}}
{{- if and (not .Values.redis.enabled) (not $redisExternal) -}}
{{- if not .Values.externalRedis.url -}}
{{- fail "redis.enabled is false: set externalRedis.url, or existingSecret.name with existingSecret.keys.redisUrl, so the app has a REDIS_URL" -}}
{{- end -}}
{{- if not (regexMatch "^rediss?://" .Values.externalRedis.url) -}}
{{- fail "externalRedis.url must be a redis:// or rediss:// URL" -}}
{{- end -}}
{{- end -}}
{{- range $name, $_ := .Values.config.extraEnv -}}
{{- if or (has $name (list "MONGODB_URL" "REDIS_URL" "YUNSHU_MASTER_KEY" "YUNSHU_OIDC_CLIENT_SECRET")) (hasSuffix "_PASSWORD" $name) -}}
{{- fail (printf "config.extraEnv.%s would put a secret into a ConfigMap: use existingSecret or secrets.* instead" $name) -}}
{{- end -}}
{{- if has $name (list "YUNSHU_STORE" "PORT" "YUNSHU_COLLECT") -}}
{{- fail (printf "config.extraEnv.%s is fixed by the chart" $name) -}}
{{- end -}}
{{- end -}}
{{- range $field := list "adminPassword" "secadminPassword" "auditadminPassword" -}}
{{- $password := index $.Values.secrets $field | default "" -}}
{{- if $password -}}
{{- $classes := 0 -}}
{{- range list "[a-z]" "[A-Z]" "[0-9]" "[^A-Za-z0-9]" }}{{ if regexMatch . $password }}{{ $classes = add1 $classes }}{{ end }}{{ end -}}
{{- if or (lt (len $password) 8) (lt $classes 3) -}}
{{- fail (printf "secrets.%s must have 8 or more characters and at least three of: lowercase, uppercase, digits, symbols (the server refuses it otherwise)" $field) -}}
{{- end -}}
{{- end -}}
{{- end -}}
{{- with .Values.secrets.masterKey -}}
{{- if not (or (regexMatch "^[0-9a-fA-F]{64}$" .) (regexMatch "^[A-Za-z0-9+/_-]{43}=?$" .)) -}}
{{- fail "secrets.masterKey must be a 32-byte key: 64 hex characters or base64 (e.g. `openssl rand -hex 32`)" -}}
{{- end -}}
{{- end -}}
{{- if .Values.oidc.issuer -}}
{{- if not (and .Values.oidc.clientId .Values.oidc.redirectUri) -}}
{{- fail "oidc.issuer is set: oidc.clientId and oidc.redirectUri are required too" -}}
{{- end -}}
{{- if and (not (include "yunshu.secretRef" (dict "ctx" . "env" "YUNSHU_OIDC_CLIENT_SECRET") | fromYaml).external) (not .Values.oidc.clientSecret) -}}
{{- fail "oidc.issuer is set: set oidc.clientSecret, or existingSecret.name with existingSecret.keys.oidcClientSecret" -}}
{{- end -}}
{{- end -}}
{{- if lt (int .Values.app.replicas) 1 -}}
{{- fail "app.replicas must be at least 1" -}}
{{- end -}}
{{- end -}}
