{{/*
The pod template shared by the app and the worker Deployments: same image, config and hardening;
they differ in entrypoint, secrets, probes and scheduling values.
Usage: include "yunshu.podTemplate" (dict "ctx" $ "component" "app" "values" .Values.app)
*/}}
{{- define "yunshu.podTemplate" -}}
{{- $ctx := .ctx -}}
{{- $v := .values -}}
metadata:
  labels:
    {{- include "yunshu.labels" (dict "ctx" $ctx "component" .component) | nindent 4 }}
    {{- with $v.podLabels }}
    {{- toYaml . | nindent 4 }}
    {{- end }}
  annotations:
    # Rolls the pods when their configuration or secrets change.
    checksum/config: {{ include (print $ctx.Template.BasePath "/configmap.yaml") $ctx | sha256sum }}
    checksum/secrets: {{ include (print $ctx.Template.BasePath "/secrets.yaml") $ctx | sha256sum }}
    {{- with $v.podAnnotations }}
    {{- toYaml . | nindent 4 }}
    {{- end }}
spec:
  serviceAccountName: {{ include "yunshu.serviceAccountName" $ctx }}
  automountServiceAccountToken: {{ $ctx.Values.serviceAccount.automountServiceAccountToken }}
  # Service links would inject <SERVICE>_PORT-style variables that can shadow the app's own config.
  enableServiceLinks: false
  {{- with include "yunshu.imagePullSecrets" $ctx | trim }}
  {{- . | nindent 2 }}
  {{- end }}
  {{- with $v.priorityClassName }}
  priorityClassName: {{ . }}
  {{- end }}
  terminationGracePeriodSeconds: {{ include "yunshu.terminationGrace" (dict "ctx" $ctx "values" $v "what" .component) }}
  securityContext:
    {{- toYaml $v.podSecurityContext | nindent 4 }}
  containers:
    - name: {{ .component }}
      image: {{ include "yunshu.image" (dict "image" $ctx.Values.image "ctx" $ctx) }}
      imagePullPolicy: {{ $ctx.Values.image.pullPolicy }}
      {{- with $v.command }}
      command:
        {{- toYaml . | nindent 8 }}
      {{- end }}
      {{- with $v.args }}
      args:
        {{- toYaml . | nindent 8 }}
      {{- end }}
      ports:
        - name: http
          containerPort: 8080
          protocol: TCP
      envFrom:
        - configMapRef:
            name: {{ include "yunshu.fullname" $ctx }}
      env:
        # Collection (cluster list+watch, Prometheus usage) runs in the workers; the app does it only
        # when there are none, so the fleet is not collected once per replica of each.
        - name: YUNSHU_COLLECT
          value: {{ if or (eq .component "worker") (not $ctx.Values.worker.enabled) }}"on"{{ else }}"off"{{ end }}
        {{- include "yunshu.secretEnv" (dict "ctx" $ctx "worker" (eq .component "worker")) | trim | nindent 8 }}
        {{- with $v.extraEnv }}
        {{- toYaml . | nindent 8 }}
        {{- end }}
      {{- if $v.preStopSleepSeconds }}
      lifecycle:
        preStop:
          exec:
            command: ["sleep", "{{ int64 $v.preStopSleepSeconds }}"]
      {{- end }}
      startupProbe:
        {{- toYaml $v.startupProbe | nindent 8 }}
      livenessProbe:
        {{- toYaml $v.livenessProbe | nindent 8 }}
      readinessProbe:
        {{- toYaml $v.readinessProbe | nindent 8 }}
      resources:
        {{- toYaml $v.resources | nindent 8 }}
      securityContext:
        {{- toYaml $v.securityContext | nindent 8 }}
      volumeMounts:
        # The root filesystem is read-only; these are the only writable paths.
        - name: tmp
          mountPath: /tmp
        - name: data
          mountPath: /var/lib/yunshu
        {{- with $v.extraVolumeMounts }}
        {{- toYaml . | nindent 8 }}
        {{- end }}
  volumes:
    - name: tmp
      emptyDir:
        sizeLimit: 256Mi
    - name: data
      emptyDir:
        sizeLimit: 1Gi
    {{- with $v.extraVolumes }}
    {{- toYaml . | nindent 4 }}
    {{- end }}
  {{- with $v.nodeSelector }}
  nodeSelector:
    {{- toYaml . | nindent 4 }}
  {{- end }}
  {{- with $v.tolerations }}
  tolerations:
    {{- toYaml . | nindent 4 }}
  {{- end }}
  {{- with include "yunshu.affinity" (dict "ctx" $ctx "component" .component "values" $v) | trim }}
  {{- . | nindent 2 }}
  {{- end }}
  {{- with include "yunshu.topologySpread" (dict "ctx" $ctx "component" .component "values" $v) | trim }}
  {{- . | nindent 2 }}
  {{- end }}
{{- end -}}
