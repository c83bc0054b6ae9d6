# gateway - runnable stand-in: FROM scratch + busybox, builds offline in a second.
FROM scratch
COPY bin/busybox /bin/busybox
RUN ["/bin/busybox", "sh", "-c", "/bin/busybox mkdir -p /srv && echo gateway > /srv/name && echo ok > /srv/health"]
COPY docker/gateway.Dockerfile /srv/Dockerfile
ENTRYPOINT ["/bin/busybox", "httpd", "-f", "-p", "8080", "-h", "/srv"]
