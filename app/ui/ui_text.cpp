#include "ui/ui_text.hpp"

#include <array>

namespace sockstep::ui {
namespace {

struct Pair {
  const char* en;
  const char* zh;
};

constexpr std::array kTable = {
    Pair{"sockstep", "sockstep"},
    Pair{"Lesson", "课程"},
    Pair{"View", "视图"},
    Pair{"Language", "语言"},
    Pair{"Help", "帮助"},
    Pair{"Quit", "退出"},
    Pair{"Lesson", "课程"},
    Pair{"Steps", "步骤"},
    Pair{"Code", "代码"},
    Pair{"Sockets (what the kernel holds)", "套接字(内核里的状态)"},
    Pair{"Sequence", "时序图"},
    Pair{"Bytes", "字节"},
    Pair{"Console", "控制台"},
    Pair{"Event log", "事件日志"},
    Pair{"Next", "下一步"},
    Pair{"Back", "上一步"},
    Pair{"Reset", "重来"},
    Pair{"Play", "播放"},
    Pair{"Pause", "暂停"},
    Pair{"Speed", "速度"},
    Pair{"%.1f s per step", "每步 %.1f 秒"},
    Pair{"Step %d of %d", "第 %d 步,共 %d 步"},
    Pair{"Nothing has run yet", "还没有开始"},
    Pair{"Press Next (Right arrow) to make the first call.", "按“下一步”(右方向键)执行第一个调用。"},
    Pair{"The lesson is complete.", "课程结束。"},
    Pair{"Next:", "下一步:"},
    Pair{"Actor", "角色"},
    Pair{"Call", "调用"},
    Pair{"blocked in %s()", "阻塞在 %s()"},
    Pair{"%s is waiting in %s(): the next step can wake it.",
         "%s 正阻塞在 %s() 中:下一步可以唤醒它。"},
    Pair{"Message the client sends", "客户端发送的消息"},
    Pair{"Type a message; Enter applies it.", "输入消息,按回车生效。"},
    Pair{"Applying replays the lesson on fresh sockets.", "修改后会在新的套接字上重放课程。"},
    Pair{"Run until", "运行到"},
    Pair{"call", "调用"},
    Pair{"state", "状态"},
    Pair{"Run", "运行"},
    Pair{"Filter", "筛选"},
    Pair{"actor, call, errno, text", "角色、调用、错误码、文字"},
    Pair{"Follow", "跟随"},
    Pair{"No socket yet: the first step creates one.", "还没有套接字:第一步会创建一个。"},
    Pair{"closed", "已关闭"},
    Pair{"closed at step %d", "在第 %d 步关闭"},
    Pair{"no fd: the kernel keeps it", "没有 fd:内核仍保留它"},
    Pair{"about %.0f s left", "大约还剩 %.0f 秒"},
    Pair{"receive queue", "接收队列"},
    Pair{"send queue", "发送队列"},
    Pair{"accept queue", "全连接队列"},
    Pair{"local", "本地"},
    Pair{"peer", "对端"},
    Pair{"state", "状态"},
    Pair{"error", "错误"},
    Pair{"Click a send or recv (sequence, log) to see its bytes.",
         "点击一次 send 或 recv(时序图或日志)查看它的字节。"},
    Pair{"%s → %s: one byte stream", "%s → %s:一条字节流"},
    Pair{"%s → %s: datagrams, each read whole", "%s → %s:数据报,每个都整个读取"},
    Pair{"%zu B dropped (red): a datagram longer than recv's buffer loses its tail", "丢弃 %zu 字节(红色):数据报比 recv 的缓冲区长,尾部被丢弃"},
    Pair{"▼ a send() ended here    ▲ a recv() took the bytes up to here",
         "▼ 一次 send() 在此结束    ▲ 一次 recv() 取走到此为止的字节"},
    Pair{"No bytes have moved yet.", "还没有字节传输。"},
    Pair{"showing %zu of %zu bytes (the log keeps at most this much per call)",
         "显示 %zu / %zu 字节(日志每次调用最多保留这么多)"},
    Pair{"these bytes are no longer kept: the window keeps the newest %zu MiB of bytes",
         "这些字节已不再保留:窗口只保留最新的 %zu MiB 字节"},
    Pair{"not sent:", "没有发出:"},
    Pair{"showing %zu of %zu bytes: the stream's other bytes are not kept",
         "显示 %zu / %zu 字节:这条流的其余字节没有保留"},
    Pair{"(nothing printed yet)", "(还没有输出)"},
    Pair{"%zu events", "%zu 个事件"},
    Pair{"Zoom in", "放大"},
    Pair{"Zoom out", "缩小"},
    Pair{"Reset zoom", "恢复缩放"},
    Pair{"Light theme", "浅色主题"},
    Pair{"Keys", "快捷键"},
    // One key per line, a tab before what it does: the help draws them as a table, so the
    // columns line up whatever the width of the characters.
    Pair{"Right / Space\tnext step\n"
         "Left\tback one step (replays on fresh sockets)\n"
         "R\treset\n"
         "P\tplay / pause\n"
         "1 2 3 4\tanswer the question before a step; S skips it\n"
         "F2\treference card of the step's call\n"
         "Ctrl + / Ctrl -\tzoom; Ctrl 0 resets it\n"
         "F5\tpresentation mode: large text, light theme, four panels\n"
         "F6\tserve: the student view, a tile per client, or the panels again\n"
         "Ctrl 1 … Ctrl 8\tshow or hide a panel (as listed in View)\n"
         "M\tmaximise the panel under the pointer; M or Esc gives the others back\n"
         "drag an edge\tresize the panels beside it\n"
         "Ctrl E\tFile > Export: write the session's files\n"
         "Home / End\ta recording (sockstep open): its start / end\n"
         ", .\ta recording: one event back / on\n"
         "F1\tthis help\n"
         "\tClick a step to go there. Click an event to see its bytes.",
         "右方向键 / 空格\t下一步\n"
         "左方向键\t上一步(在新的套接字上重放)\n"
         "R\t重来\n"
         "P\t播放 / 暂停\n"
         "1 2 3 4\t回答步骤前的预测问题;S 跳过\n"
         "F2\t这个调用的参考卡片\n"
         "Ctrl + / Ctrl -\t缩放;Ctrl 0 恢复\n"
         "F5\t演示模式:大字、浅色主题、四个面板\n"
         "F6\tserve:学生视图(每个客户端一块),或回到各面板\n"
         "Ctrl 1 … Ctrl 8\t显示或隐藏一个面板(顺序同“视图”菜单)\n"
         "M\t最大化指针下的面板;再按 M 或 Esc 恢复\n"
         "拖动边界\t调整两旁面板的大小\n"
         "Ctrl E\t文件 > 导出:写出本次会话的文件\n"
         "Home / End\t录制(sockstep open):开头 / 结尾\n"
         ", .\t录制:后退 / 前进一个事件\n"
         "F1\t显示本帮助\n"
         "\t点击某一步跳到那里。点击某个事件查看它的字节。"},
    Pair{"Close (F1)", "关闭 (F1)"},
    Pair{"Presentation mode", "演示模式"},
    Pair{"Show all panels again", "恢复所有面板"},
    Pair{"No Chinese font found: install fonts-noto-cjk to read the 中文 text.",
         "没有找到中文字体:请安装 fonts-noto-cjk。"},
    Pair{"The kernel did not do what the lesson says:", "内核的行为与课程描述不符:"},
    Pair{"The kernel did what the lesson says.", "内核的行为与课程描述一致。"},
    Pair{"result", "结果"},
    Pair{"step", "步"},
    Pair{"t (ms)", "时间 (毫秒)"},
    Pair{"bytes", "字节"},
    Pair{"SYN, SYN+ACK, ACK", "SYN, SYN+ACK, ACK"},
    Pair{"handshake", "三次握手"},
    Pair{"FIN", "FIN"},
    Pair{"RST (reset)", "RST(重置)"},
    Pair{"waiting", "等待中"},
    Pair{"now", "当前"},
    Pair{"next", "下一步"},
    Pair{"listener", "监听套接字"},
    Pair{"Python", "Python"},
    Pair{"C", "C"},
    Pair{"Could not open the lesson", "无法打开课程"},
    Pair{"Predict first", "先预测一下"},
    Pair{"Pick an answer (keys 1-%d) or skip; then Next runs the step and the kernel answers.",
         "选一个答案(按 1-%d)或跳过;然后按“下一步”,由内核给出答案。"},
    Pair{"? Predict step %zu first: the question is below ↓", "? 先预测第 %zu 步:问题在下面 ↓"},
    Pair{"skip", "跳过"},
    Pair{"Your answer:", "你的答案:"},
    Pair{"The kernel:", "内核:"},
    Pair{"✓ Right!", "✓ 答对了!"},
    Pair{"✗ Not this time", "✗ 这次没猜中"},
    Pair{"No answer given. What the kernel did:", "没有作答。内核的结果:"},
    Pair{"The kernel did something none of the choices describe.", "内核的结果不在任何选项之中。"},
    Pair{"The call is still waiting: the kernel answers when it returns.",
         "这个调用还在等待:它返回时内核才给出答案。"},
    Pair{"Play runs on without asking.", "自动播放时不提问。"},
    Pair{"Reference", "参考卡片"},
    Pair{"Reference: %s()", "参考卡片:%s()"},
    Pair{"The reference card of this call (F2)", "这个调用的参考卡片 (F2)"},
    Pair{"Does it wait?", "会等待吗?"},
    Pair{"Common errors", "常见错误"},
    Pair{"Python raises", "Python 抛出"},
    Pair{"Meaning", "含义"},
    Pair{"No reference card for %s().", "%s() 没有参考卡片。"},
    Pair{"Close (F2)", "关闭 (F2)"},
    Pair{"Live session", "实时会话"},
    Pair{"No lesson here: every call comes from a real program as it runs. The cards show what the "
         "kernel holds now; click a row in the sequence or the log to see its bytes.",
         "这里没有课程:每个调用都来自正在运行的真实程序。卡片显示内核此刻的状态;"
         "点击时序图或日志中的一行查看它的字节。"},
    Pair{"Watching ports:", "关注的端口:"},
    Pair{"no port yet (learned from bind, listen, connect)", "还没有端口(从 bind、listen、connect 得知)"},
    Pair{"Send", "发送"},
    Pair{"Reconnect", "重新连接"},
    Pair{"type a message; Enter sends it", "输入消息;回车发送"},
    Pair{"Last problem:", "最近的问题:"},
    Pair{"Checks (click one to see its session):", "检查(点一项查看它的会话):"},
    Pair{"%d open, %d closed, %d without an fd", "%d 个打开,%d 个已关闭,%d 个没有 fd"},
    Pair{"Students", "学生"},
    Pair{"Students (F6)", "学生视图(F6)"},
    Pair{"Panels (F6)", "返回面板(F6)"},
    Pair{"%d students: %d connected, %d left", "%d 名学生:%d 个在连接,%d 个已离开"},
    Pair{"No student yet: each client that connects gets a tile here, in the order they arrive.",
         "还没有学生:每个连上来的客户端都会在这里得到一个方块,按到达的先后排列。"},
    Pair{"Accept queue: %d waiting for accept(), backlog %d", "接听队列:%d 个连接等待 accept(),backlog 为 %d"},
    Pair{"most at once: %d", "最多时同时 %d 个"},
    Pair{"%llu connection attempts found the queue full (the kernel's ListenOverflows): their clients retry in 1 s",
         "有 %llu 次连接尝试遇到队列已满(内核的 ListenOverflows):这些客户端 1 秒后重试"},
    Pair{"%llu clients reset by the kernel: their SYN cookie could not be taken back",
         "有 %llu 个客户端被内核重置:它们的 SYN cookie 无法还原"},
    Pair{"now", "现在"},
    Pair{"sent %s · got %s", "发出 %s · 收回 %s"},
    Pair{"sent ≥%s · got ≥%s", "发出 ≥%s · 收回 ≥%s"},
    Pair{"nothing sent yet", "还没有发送"},
    Pair{"hung up", "已挂断"},
    Pair{"reset (ECONNRESET)", "被重置(ECONNRESET)"},
    Pair{"closed by serve", "被 serve 关闭"},
    Pair{"failed: %s", "出错:%s"},
    Pair{"(no fd)", "(无 fd)"},
    Pair{"gone from the kernel", "内核里已没有它"},
    Pair{"serve's fd %d", "serve 的 fd %d"},
    Pair{"sent last (%zu bytes):", "最后发送的(%zu 字节):"},
    Pair{"name: %s", "名字:%s"},
    Pair{"the LAN has no name for this address", "局域网没有这个地址的名字"},
    Pair{"looking up its name...", "正在查它的名字……"},
    Pair{"Each tile is one client, in the order serve accepted them: its address, the kernel's state of serve's socket for it, the bytes each way, what it sent last, and when it came and left.",
         "每个方块是一个客户端,按 serve 接受它们的先后排列:它的地址、内核里 serve 这一端套接字的状态、双向的字节数、它最后发送的内容,以及它何时连上、何时离开。"},
    Pair{"in %s's accept queue: not accepted yet", "在 %s 的全连接队列中:尚未被接受"},
    Pair{"closed at step %d; no fd, the kernel keeps it", "在第 %d 步关闭;没有 fd,内核仍保留它"},
    Pair{"no fd: left by an earlier run", "没有 fd:之前的运行留下的"},
    Pair{"No byte is queued. SIOCOUTQ says %d: the connect failed, and its SYN's sequence "
         "number was never acknowledged.",
         "没有排队的字节。SIOCOUTQ 为 %d:connect 失败了,它的 SYN 占用的序号从未被确认。"},
    Pair{"%s: none (SIOCOUTQ's %d is the failed connect's SYN)", "%s:无(SIOCOUTQ 的 %d 是失败的 connect 的 SYN)"},
    Pair{"closed", "已关闭"},
    Pair{"Live session: ended", "实时会话:已结束"},
    Pair{"peer's window: %lld bytes", "对方的窗口:%lld 字节"},
    Pair{"How many more bytes the peer said it has room for (TCP_INFO tcpi_snd_wnd). 0: its receive "
         "buffer is full, and this side waits until it reads.",
         "对方说它还能再收多少字节(TCP_INFO 的 tcpi_snd_wnd)。0:对方的接收缓冲区满了,这一方要等它读了才能再发。"},
    Pair{"Hex", "十六进制"},
    Pair{"Follow", "追踪"},
    Pair{"%s ↔ %s: both directions, in the order the calls moved them",
         "%s ↔ %s:两个方向,按调用传送的先后"},
    Pair{"No TCP connection has moved bytes yet.", "还没有 TCP 连接传过字节。"},
    Pair{"process %d, forked", "进程 %d,fork 出来的"},
    Pair{"process %d: exited, a zombie until waitpid()", "进程 %d:已退出,在 waitpid() 之前是僵尸"},
    Pair{"process %d: exited and reaped by waitpid()", "进程 %d:已退出,已被 waitpid() 收走"},
    Pair{"File", "文件"},
    Pair{"Export...", "导出..."},
    Pair{"Export the session", "导出本次会话"},
    Pair{"Folder", "文件夹"},
    Pair{"Writes session.md (the transcript), session.json (for Perfetto), session.svg and session.mmd (the sequence diagram), session.html (the report) and session.sockstep (sockstep open reopens it) into this folder.",
         "把 session.md(文字记录)、session.json(用 Perfetto 打开)、session.svg 和 session.mmd(时序图)、session.html(报告)和 session.sockstep(用 sockstep open 重新打开)写进这个文件夹。"},
    Pair{"Export", "导出"},
    Pair{"Cancel", "取消"},
    Pair{"Exported to %s: session.md, session.json, session.svg, session.mmd, session.html and session.sockstep (no session.pcapng: the window keeps no capture file).",
         "已导出到 %s:session.md、session.json、session.svg、session.mmd、session.html 和 session.sockstep(没有 session.pcapng:窗口不保存抓包文件)。"},
    Pair{"Export failed: %s", "导出失败:%s"},
    Pair{"Timeline", "时间轴"},
    Pair{"event %d of %d", "第 %d / %d 个事件"},
    Pair{"Home/End: start/end  , . one event  Left/Right: a step", "Home/End:开头/结尾  , . 一个事件  左/右:一步"},
    Pair{"The session is exported", "会话已导出"},
    Pair{"Interest set", "兴趣集合"},
    Pair{"Watched", "监视的套接字"},
    Pair{"No wait yet", "还没有等待过"},
    Pair{"Waiting in %s()", "正在 %s() 里等待"},
    Pair{"Last %s(): %lld ready", "上次 %s():%lld 个就绪"},
    Pair{"Last %s(): nothing ready (timed out)", "上次 %s():没有就绪的(超时)"},
    Pair{"Last %s() failed: %s", "上次 %s() 失败:%s"},
    Pair{"ready: %s", "就绪:%s"},
    Pair{"not ready", "未就绪"},
    Pair{"%s queued", "队列中 %s"},
    Pair{"%s unread, no new bytes: no report", "%s 未读,没有新字节:不会报告"},
    Pair{"since: %s", "此后:%s"},
    Pair{"read dry", "已读空"},
    Pair{"edge-triggered", "边缘触发"},
    Pair{"level-triggered", "水平触发"},
    Pair{"+%d more", "还有 %d 个"},
    Pair{"nothing watched", "什么都没监视"},
    Pair{"What the loop watches (the interest set), what its last wait returned (the ready list), and the calls the code made on each socket since. Edge-triggered: a socket is reported when new bytes arrive, so the code reads it until EAGAIN.",
         "循环监视什么(兴趣集合)、上次等待返回了什么(就绪列表),以及此后代码对每个套接字做的调用。边缘触发:有新字节到来时才报告,所以代码要一直读到 EAGAIN。"},
};
static_assert(kTable.size() == static_cast<std::size_t>(Tx::Count),
              "every Tx needs exactly one row in kTable");

}  // namespace

const char* tx(Tx id, Lang lang) {
  const Pair& pair = kTable[static_cast<std::size_t>(id)];
  return lang == Lang::Zh ? pair.zh : pair.en;
}

std::size_t tx_count() { return kTable.size(); }

const char* tx_at(std::size_t index, Lang lang) {
  return index < kTable.size() ? tx(static_cast<Tx>(index), lang) : "";
}

}  // namespace sockstep::ui
