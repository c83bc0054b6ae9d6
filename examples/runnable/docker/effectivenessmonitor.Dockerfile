# effectivenessmonitor - runnable stand-in: FROM scratch + busybox, builds offline in a second.
FROM scratch
COPY bin/busybox /bin/busybox
RUN ["/bin/busybox", "sh", "-c", "/bin/busybox mkdir -p /srv && echo effectivenessmonitor > /srv/name && echo ok > /srv/health"]
COPY docker/effectivenessmonitor.Dockerfile /srv/Dockerfile
ENTRYPOINT ["/bin/busybox", "httpd", "-f", "-p", "8087", "-h", "/srv"]
