"""A classroom's network in two network namespaces this machine makes for a test: the
teacher's (serve, on 10.77.0.1) and the students' (one veth link, an address of its own
for each student: 10.77.0.10, .11, ...). Needs root and iproute2; nothing leaves the link
between the two namespaces."""
import os
import shutil
import subprocess

SERVER_ADDR = "10.77.0.1"


def sh(*args, check=True):
    return subprocess.run(list(args), check=check, capture_output=True, text=True, timeout=30)


def in_ns(ns, *args):
    return ["ip", "netns", "exec", ns, *args]


def student_addr(i):
    return f"10.77.0.{10 + i}"


class Lab:
    def __init__(self, students, name="ss"):
        self.students = students
        self.tag = f"{name}{os.getpid() % 100000}"
        self.server_ns, self.student_ns = f"{self.tag}srv", f"{self.tag}stu"

    def make(self):
        """Raises CalledProcessError or FileNotFoundError when namespaces cannot be made here."""
        tag = self.tag
        sh("ip", "netns", "add", self.server_ns)
        sh("ip", "netns", "add", self.student_ns)
        sh("ip", "link", "add", f"{tag}a", "netns", self.server_ns, "type", "veth", "peer", "name", f"{tag}b", "netns",
           self.student_ns)
        for ns, dev in ((self.server_ns, f"{tag}a"), (self.student_ns, f"{tag}b")):
            sh(*in_ns(ns, "ip", "link", "set", "lo", "up"))
            sh(*in_ns(ns, "ip", "link", "set", dev, "up"))
        sh(*in_ns(self.server_ns, "ip", "addr", "add", f"{SERVER_ADDR}/24", "dev", f"{tag}a"))
        for i in range(self.students):
            sh(*in_ns(self.student_ns, "ip", "addr", "add", f"{student_addr(i)}/24", "dev", f"{tag}b", "nodad"))

    def name_students(self, names):
        """The names serve's namespace gives the students' addresses: `ip netns exec` puts
        /etc/netns/NS/hosts in place of /etc/hosts for what it runs (the LAN's DNS)."""
        folder = f"/etc/netns/{self.server_ns}"
        os.makedirs(folder, exist_ok=True)
        with open(f"{folder}/hosts", "w") as f:
            f.write("127.0.0.1 localhost\n")
            for i, name in enumerate(names):
                f.write(f"{student_addr(i)} {name}\n")

    def drop(self):
        shutil.rmtree(f"/etc/netns/{self.server_ns}", ignore_errors=True)
        for ns in (self.server_ns, self.student_ns):
            sh("ip", "netns", "del", ns, check=False)
