/* An echo server in one thread: a poll() event loop over non-blocking sockets.
 * It is correct: each connection keeps the bytes it still owes in a buffer, so a
 * send() that takes only part of them is finished when poll() says the socket is
 * writable again; EAGAIN and EINTR mean "try later", and MSG_NOSIGNAL turns a
 * send to a vanished client into an error instead of a SIGPIPE that kills us. */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>

#define MAX_CONNS 256
#define BUF_SIZE 4096

struct conn {
    int fd;               /* -1 when the slot is free */
    char buf[BUF_SIZE];   /* bytes read but not yet sent back */
    size_t len, off;      /* buf[off..len) still has to go */
};

static struct conn conns[MAX_CONNS];

static void drop(struct conn *c) {
    close(c->fd);
    c->fd = -1;
}

/* Send what we owe; returns -1 if the connection is finished. */
static int flush(struct conn *c) {
    while (c->off < c->len) {
        ssize_t n = send(c->fd, c->buf + c->off, c->len - c->off, MSG_NOSIGNAL);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            if (errno == EAGAIN || errno == EWOULDBLOCK)
                return 0;             /* the rest goes when POLLOUT comes */
            return -1;                /* EPIPE, ECONNRESET: the client is gone */
        }
        c->off += (size_t)n;
    }
    c->len = c->off = 0;
    return 0;
}

/* Read a piece and start echoing it; returns -1 if the connection is finished. */
static int on_readable(struct conn *c) {
    ssize_t n = recv(c->fd, c->buf, sizeof c->buf, 0);
    if (n < 0)
        return (errno == EINTR || errno == EAGAIN || errno == EWOULDBLOCK) ? 0 : -1;
    if (n == 0)
        return -1;                    /* the client has closed its side */
    c->len = (size_t)n;
    c->off = 0;
    return flush(c);
}

static void on_accept(int server) {
    int fd = accept(server, NULL, NULL);
    if (fd < 0)
        return;                       /* EAGAIN, ECONNABORTED, ...: nothing to add */
    fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
    for (int i = 0; i < MAX_CONNS; i++) {
        if (conns[i].fd < 0) {
            conns[i].fd = fd;
            conns[i].len = conns[i].off = 0;
            return;
        }
    }
    close(fd);                        /* full: turn this caller away */
}

int main(int argc, char **argv) {
    if (argc != 2) {
        fprintf(stderr, "usage: %s PORT\n", argv[0]);
        return 2;
    }
    int server = socket(AF_INET, SOCK_STREAM, 0);
    fcntl(server, F_SETFL, O_NONBLOCK);
    int one = 1;
    setsockopt(server, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    struct sockaddr_in addr = {.sin_family = AF_INET, .sin_port = htons((unsigned short)atoi(argv[1]))};
    inet_pton(AF_INET, "127.0.0.1", &addr.sin_addr);
    if (bind(server, (struct sockaddr *)&addr, sizeof addr) < 0 || listen(server, 16) < 0) {
        perror("bind/listen");
        return 1;
    }
    for (int i = 0; i < MAX_CONNS; i++)
        conns[i].fd = -1;

    struct pollfd fds[MAX_CONNS + 1];
    int slot_of[MAX_CONNS + 1];
    for (;;) {
        int nfds = 0;
        fds[nfds++] = (struct pollfd){.fd = server, .events = POLLIN};
        for (int i = 0; i < MAX_CONNS; i++) {
            if (conns[i].fd < 0)
                continue;
            /* While we owe bytes, wait to write them and read nothing more. */
            short want = conns[i].off < conns[i].len ? POLLOUT : POLLIN;
            slot_of[nfds] = i;
            fds[nfds++] = (struct pollfd){.fd = conns[i].fd, .events = want};
        }
        if (poll(fds, (nfds_t)nfds, -1) < 0) {
            if (errno == EINTR)
                continue;
            perror("poll");
            return 1;
        }
        if (fds[0].revents & POLLIN)
            on_accept(server);
        for (int k = 1; k < nfds; k++) {
            struct conn *c = &conns[slot_of[k]];
            if (fds[k].revents == 0)
                continue;
            int r = (fds[k].events & POLLOUT) ? flush(c) : on_readable(c);
            if (r < 0)
                drop(c);
        }
    }
}
