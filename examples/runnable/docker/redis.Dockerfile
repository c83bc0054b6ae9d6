# redis - runnable stand-in for the real redis image (no registry here): busybox httpd on the service port.
FROM scratch
COPY bin/busybox /bin/busybox
RUN ["/bin/busybox", "sh", "-c", "/bin/busybox mkdir -p /srv && echo ok > /srv/health"]
ENTRYPOINT ["/bin/busybox", "httpd", "-f", "-p", "6379", "-h", "/srv"]
