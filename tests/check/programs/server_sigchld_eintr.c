/* An echo server that forks a child process for every client and reaps the children
 * in a SIGCHLD handler installed with sigaction().
 * Bug: the handler is installed without SA_RESTART, so when a child ends while the
 * parent waits in accept(), accept() returns -1 with errno EINTR -- and the server takes
 * that for a real error and exits, instead of calling accept() again. */
#include <arpa/inet.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

static void reap(int sig) {
    (void)sig;
    int saved = errno;
    while (waitpid(-1, NULL, WNOHANG) > 0) {
    }
    errno = saved;
}

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
    struct sigaction action;
    memset(&action, 0, sizeof action);
    action.sa_handler = reap;        /* sa_flags 0: no SA_RESTART */
    sigaction(SIGCHLD, &action, NULL);
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
        if (conn < 0) {
            perror("accept");        /* EINTR is no error: the call should be made again */
            return 1;
        }
        pid_t pid = fork();
        if (pid == 0) {
            close(server);
            serve(conn);
            _exit(0);
        }
        close(conn);
    }
}
