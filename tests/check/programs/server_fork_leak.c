/* An echo server that forks a child process for every client.
 * Bug: the parent forgets to close its copy of each accepted socket, so the
 * connection stays open after the child has closed it and exited (CLOSE_WAIT
 * once the client hangs up), and the parent gains one fd per client. */
#include <arpa/inet.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>

static int write_all(int fd, const char *buf, size_t n) {
    while (n > 0) {
        ssize_t w = write(fd, buf, n);
        if (w < 0) {
            if (errno == EINTR)
                continue;
            return -1;
        }
        buf += w;
        n -= (size_t)w;
    }
    return 0;
}

static void serve(int conn) {
    char buf[4096];
    for (;;) {
        ssize_t n = read(conn, buf, sizeof buf);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break;
        if (write_all(conn, buf, (size_t)n) < 0)
            break;
    }
    close(conn);
}

int main(int argc, char **argv) {
    if (argc != 2) {
        fprintf(stderr, "usage: %s PORT\n", argv[0]);
        return 2;
    }
    signal(SIGPIPE, SIG_IGN);
    signal(SIGCHLD, SIG_IGN);        /* the kernel reaps the children for us */
    int server = socket(AF_INET, SOCK_STREAM, 0);
    int one = 1;
    setsockopt(server, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    struct sockaddr_in addr = {.sin_family = AF_INET, .sin_port = htons((unsigned short)atoi(argv[1]))};
    inet_pton(AF_INET, "127.0.0.1", &addr.sin_addr);
    if (bind(server, (struct sockaddr *)&addr, sizeof addr) < 0 || listen(server, 16) < 0) {
        perror("bind/listen");
        return 1;
    }
    for (;;) {
        int conn = accept(server, NULL, NULL);
        if (conn < 0)
            continue;
        pid_t pid = fork();
        if (pid == 0) {              /* the child: serve this one client */
            close(server);
            serve(conn);
            _exit(0);
        }
        if (pid < 0)
            close(conn);
        /* the parent goes straight back to accept() -- and keeps conn open */
    }
}
