/* An echo client: send one message, read the whole echo, print it, hang up.
 * It is correct: write() is called in a loop until every byte has gone, the
 * reply is read in a loop until as many bytes have come back as were sent,
 * and the socket is closed before the program ends. */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static const char MESSAGE[] = "hello, sockstep";

int main(int argc, char **argv) {
    if (argc != 2) {
        fprintf(stderr, "usage: %s PORT\n", argv[0]);
        return 2;
    }
    size_t len = strlen(MESSAGE);
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in addr = {.sin_family = AF_INET, .sin_port = htons((unsigned short)atoi(argv[1]))};
    inet_pton(AF_INET, "127.0.0.1", &addr.sin_addr);
    if (connect(fd, (struct sockaddr *)&addr, sizeof addr) < 0) {
        fprintf(stderr, "client: 127.0.0.1:%s: %s\n", argv[1], strerror(errno));
        close(fd);
        return 1;
    }
    for (size_t sent = 0; sent < len;) {
        ssize_t n = write(fd, MESSAGE + sent, len - sent);
        if (n < 0) {
            fprintf(stderr, "client: write: %s\n", strerror(errno));
            close(fd);
            return 1;
        }
        sent += (size_t)n;
    }
    char reply[sizeof MESSAGE];
    size_t got = 0;
    while (got < len) {
        ssize_t n = read(fd, reply + got, len - got);
        if (n <= 0) {
            fprintf(stderr, "client: the server hung up after %zu of %zu bytes\n", got, len);
            close(fd);
            return 1;
        }
        got += (size_t)n;
    }
    close(fd);
    printf("%.*s\n", (int)got, reply);
    return 0;
}
