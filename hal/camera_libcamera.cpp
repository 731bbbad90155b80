/*
 * The libcamera camera: the Raspberry Pi's camera stack (and any camera
 * libcamera drives), behind the same C ops as the others.  It is C++ (as
 * is the zxing decoder, src/decoder_zxing.cpp), kept to a shim: no
 * exception leaves it, and libcamera's threads never call into the
 * daemon.
 *
 * libcamera completes requests on its own thread.  The slot that hears of
 * it only puts the request on a small locked queue and writes to an
 * eventfd; the daemon's loop polls an epoll fd holding that eventfd and a
 * watchdog timerfd, and next(), on the loop's thread, keeps the newest
 * completed request, queues the older ones again at once (the decoder
 * never sees a stale frame), and hands out the Y plane of the buffer,
 * mapped once at open.  The request handed out stays ours until the next
 * call of next() or close().
 *
 * A lost camera: libcamera's disconnected signal (USB cameras), a
 * cancelled request, 30 bad frames in a row, the camera's device nodes
 * gone, or no frame for 3 s all make next() say CAMERA_ERROR, and the
 * daemon retries.  Only a camera whose nodes went while it streamed
 * cannot be opened again in the same process (lc_cam_abandon() says
 * why); systemd's watchdog restarts the daemon then.
 *
 * camera.source picks the camera: "" or a /dev path (the config's v4l2
 * default) means the first one, digits an index in the order libcamera
 * lists them (the order of `rpicam-hello --list-cameras`, from 0),
 * anything else a camera's id as `cam -l` prints it.
 *
 * Versions: Debian 12 has libcamera 0.0.3, Raspberry Pi OS 0.4 to 0.7.
 * Where their APIs differ the code says so with LC_AT_LEAST().  The
 * differences that matter here: auto exposure is switched per control
 * since 0.5 (ExposureTimeMode; before, ExposureTime 0 meant automatic),
 * and frames taken while the algorithms settle are flagged FrameStartup
 * since 0.6.  The rest (generateConfiguration() taking a Span, get()
 * taking a string_view, FrameBuffer::planes() returning a Span, a const
 * Request::metadata()) is absorbed by writing the calls so that both
 * compile.
 */
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/timerfd.h>

#include <linux/dma-buf.h>

#include <dirent.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <exception>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include <libcamera/camera.h>
#include <libcamera/camera_manager.h>
#include <libcamera/control_ids.h>
#include <libcamera/controls.h>
#include <libcamera/formats.h>
#include <libcamera/framebuffer.h>
#include <libcamera/framebuffer_allocator.h>
#include <libcamera/property_ids.h>
#include <libcamera/request.h>
#include <libcamera/stream.h>
#include <libcamera/version.h>

extern "C" {
#include "log.h"
#include "camera.h"
#include "util.h"
}

using namespace libcamera;

#define LC_AT_LEAST(major, minor)					\
	(LIBCAMERA_VERSION_MAJOR > (major) ||				\
	(LIBCAMERA_VERSION_MAJOR == (major) &&				\
	LIBCAMERA_VERSION_MINOR >= (minor)))

/* Buffers asked for: one the decoder holds, the others being filled. */
#define LC_BUFFERS		4
#define LC_MIN_BUFFERS		2
#define LC_MAX_BUFFERS		16
#define LC_MAX_SIDE		8192

/*
 * libcamera reports a camera that goes away only for USB cameras; for the
 * others (the Pi's, vimc) their device nodes just vanish and the requests
 * in flight never complete.  So a watchdog looks every LC_WATCHDOG_MS
 * whether the camera's device nodes are still there, and calls no frame
 * for LC_STALL_MS a lost camera too (a sensor that stopped without an
 * error).  The first frame gets longer: pipelines start their algorithms
 * before it.
 */
#define LC_STALL_MS		3000
#define LC_FIRST_STALL_MS	6000
#define LC_WATCHDOG_MS		500

/* This many bad buffers in a row is a broken camera, not a bad frame. */
#define LC_BAD_MAX		30

/* Frames an exposure change takes to show in the metadata, with margin. */
#define LC_EXPO_SETTLE		8

/* How the Y plane comes out of a buffer's first plane. */
enum lc_conv {
	LC_CONV_NONE,		/* the plane is the Y plane */
	LC_CONV_PACKED,		/* Y every bpp bytes from yoff: YUYV, UYVY */
	LC_CONV_RGB,		/* luma from R, G, B at ri, gi, bi */
};

struct lc_format {
	PixelFormat pf;
	const char *name;
	enum lc_conv conv;
	int bpp;		/* bytes a pixel in the first plane */
	int yoff, ri, gi, bi;
};

/*
 * In order of preference: formats whose first plane is the Y plane cost
 * nothing; packed YUV costs a copy and RGB a sum a pixel.  Pi cameras
 * offer YUV420; vimc only RGB; UVC webcams YUYV.  DRM's RGB888 is B, G, R
 * in memory, BGR888 R, G, B.
 */
static const struct lc_format lc_formats[] = {
	{ formats::YUV420, "YUV420", LC_CONV_NONE, 1, 0, 0, 0, 0 },
	{ formats::NV12, "NV12", LC_CONV_NONE, 1, 0, 0, 0, 0 },
	{ formats::NV21, "NV21", LC_CONV_NONE, 1, 0, 0, 0, 0 },
	{ formats::YVU420, "YVU420", LC_CONV_NONE, 1, 0, 0, 0, 0 },
	{ formats::NV16, "NV16", LC_CONV_NONE, 1, 0, 0, 0, 0 },
	{ formats::NV61, "NV61", LC_CONV_NONE, 1, 0, 0, 0, 0 },
	{ formats::YUV422, "YUV422", LC_CONV_NONE, 1, 0, 0, 0, 0 },
	{ formats::R8, "R8", LC_CONV_NONE, 1, 0, 0, 0, 0 },
	{ formats::YUYV, "YUYV", LC_CONV_PACKED, 2, 0, 0, 0, 0 },
	{ formats::YVYU, "YVYU", LC_CONV_PACKED, 2, 0, 0, 0, 0 },
	{ formats::UYVY, "UYVY", LC_CONV_PACKED, 2, 1, 0, 0, 0 },
	{ formats::VYUY, "VYUY", LC_CONV_PACKED, 2, 1, 0, 0, 0 },
	{ formats::BGR888, "BGR888", LC_CONV_RGB, 3, 0, 0, 1, 2 },
	{ formats::RGB888, "RGB888", LC_CONV_RGB, 3, 0, 2, 1, 0 },
	{ formats::XBGR8888, "XBGR8888", LC_CONV_RGB, 4, 0, 0, 1, 2 },
	{ formats::XRGB8888, "XRGB8888", LC_CONV_RGB, 4, 0, 2, 1, 0 },
	{ formats::ABGR8888, "ABGR8888", LC_CONV_RGB, 4, 0, 0, 1, 2 },
	{ formats::ARGB8888, "ARGB8888", LC_CONV_RGB, 4, 0, 2, 1, 0 },
};
#define LC_NFORMATS (nitems(lc_formats))

/* How the exposure cap is applied, if at all. */
enum lc_expo {
	LC_EXPO_OFF,
	LC_EXPO_LEGACY,		/* < 0.5: ExposureTime fixes it, 0 frees it */
	LC_EXPO_MODES,		/* >= 0.5: ExposureTimeMode Manual / Auto */
};

/* One buffer's first plane, mapped for reading. */
struct lc_map {
	void *base;
	size_t len;
	const uint8_t *y;
	int fd;			/* the dma-buf, for cache syncs; not ours */
};

struct lc_cam;

/*
 * The slots libcamera's thread calls.  Not a libcamera::Object, so that
 * its signals call them directly on that thread instead of queueing them
 * for an event loop this program does not run.
 */
struct lc_slots {
	struct lc_cam *c;

	void request_completed(Request *r);
	void camera_disconnected();
};

struct lc_cam {
	std::shared_ptr<Camera> camera;
	std::string id;
	bool have_manager;
	bool acquired;
	bool connected;		/* slots connected to the camera's signals */
	bool started;
	struct lc_slots slots;
	std::vector<dev_t> devnums;	/* the camera's device nodes */

	std::unique_ptr<CameraConfiguration> config;
	Stream *stream;
	std::unique_ptr<FrameBufferAllocator> alloc;
	std::vector<std::unique_ptr<Request>> requests;	/* cookie: index */
	std::vector<struct lc_map> maps;		/* by the same index */
	const struct lc_format *fmt;
	int width, height, stride;
	size_t span;		/* bytes of the first plane a frame spans */
	std::vector<uint8_t> ybuf;	/* the Y plane of a converted format */
	int64_t frame_ns;	/* 1e9 / fps, 0 for the camera's own rate */

	int efd, tfd, pfd;	/* eventfd, watchdog timerfd, epoll of both */

	/* Filled by libcamera's thread, emptied by next(), under lock. */
	std::mutex lock;
	std::vector<Request *> done;	/* capacity reserved at open */
	bool lost;

	std::vector<Request *> batch;	/* next()'s copy of done */
	Request *held;		/* handed out with the last frame */
	bool gave;		/* the last call handed out a frame */
	uint64_t seq;
	int64_t last_ns;	/* the last good frame, or the start */
	bool first;		/* no frame yet since the start */
	int bad;		/* bad buffers in a row */

	int cap_us;		/* the exposure cap, 0 for none */
	enum lc_expo expo;
	bool expo_manual;	/* exposure pinned at the cap */
	bool expo_pending;	/* the next request carries the switch */
	int expo_settle;	/* frames before the next decision */
};

/*
 * One camera manager for the process: libcamera allows no second one,
 * and the daemon opens a new camera before it closes the old one on a
 * reload.  It goes when its last user does, so that a camera that comes
 * back is found by a fresh enumeration even where no udev reports it.
 */
static CameraManager *lc_manager;
static int lc_manager_users;
static bool lc_abandoned;	/* see lc_cam_abandon() */

static CameraManager *
lc_manager_get(void)
{
	std::unique_ptr<CameraManager> m;
	int r;

	if (lc_manager_users > 0) {
		lc_manager_users++;
		return lc_manager;
	}
	/*
	 * libcamera logs every camera it finds and every configuration at
	 * level INFO to stderr, which is the daemon's journal.  Warnings are
	 * enough there unless whoever runs it asks for more.
	 */
	setenv("LIBCAMERA_LOG_LEVELS", "*:WARN", 0);
	m = std::make_unique<CameraManager>();
	if ((r = m->start()) < 0) {
		log_warnx("camera libcamera: the camera manager did not "
		    "start: %s", strerror(-r));
		errno = -r;
		return nullptr;
	}
	/* Which libcamera runs: the system tests check it. */
	log_info("camera libcamera: libcamera %s",
	    CameraManager::version().c_str());
	lc_manager = m.release();
	lc_manager_users = 1;
	return lc_manager;
}

static void
lc_manager_put(void)
{
	if (--lc_manager_users > 0)
		return;
	delete lc_manager;
	lc_manager = nullptr;
}

static int64_t
lc_now_ns(clockid_t clk)
{
	struct timespec ts;

	clock_gettime(clk, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/*
 * A libcamera timestamp on CLOCK_MONOTONIC.  Buffer timestamps are the
 * V4L2 driver's, which are CLOCK_MONOTONIC, and the pipelines copy them
 * into SensorTimestamp; libcamera documents SensorTimestamp as
 * CLOCK_BOOTTIME, though, which runs ahead by the time spent suspended.
 * A stamp later than the monotonic now can only be such a one.
 */
static int64_t
lc_ts_monotonic(int64_t ts)
{
	int64_t mono = lc_now_ns(CLOCK_MONOTONIC);

	if (ts <= 0)
		return mono;
	if (ts <= mono)
		return ts;
	ts -= lc_now_ns(CLOCK_BOOTTIME) - mono;
	return ts > 0 && ts <= mono ? ts : mono;
}

static void
lc_kick(int efd)
{
	uint64_t one = 1;
	ssize_t n;

	/* Fails only when the counter is full, which is readable anyway. */
	n = write(efd, &one, sizeof(one));
	(void)n;
}

void
lc_slots::request_completed(Request *r)
{
	{
		std::lock_guard<std::mutex> g(c->lock);

		/* Each request is queued once, so this never allocates. */
		if (c->done.size() < c->done.capacity())
			c->done.push_back(r);
	}
	lc_kick(c->efd);
}

void
lc_slots::camera_disconnected()
{
	{
		std::lock_guard<std::mutex> g(c->lock);

		c->lost = true;
	}
	lc_kick(c->efd);
}

/* Starts or ends CPU access to a buffer, where its exporter cares. */
static void
lc_map_sync(const struct lc_map *m, bool start)
{
	struct dma_buf_sync s;

	memset(&s, 0, sizeof(s));
	s.flags = DMA_BUF_SYNC_READ |
	    (start ? DMA_BUF_SYNC_START : DMA_BUF_SYNC_END);
	while (ioctl(m->fd, DMA_BUF_IOCTL_SYNC, &s) == -1 && errno == EINTR)
		;
}

static bool
lc_all_digits(const char *s)
{
	if (*s == '\0' || strlen(s) > 3)
		return false;
	for (; *s != '\0'; s++)
		if (*s < '0' || *s > '9')
			return false;
	return true;
}

static void
lc_list_cameras(const std::vector<std::shared_ptr<Camera>> &cams)
{
	for (size_t i = 0; i < cams.size(); i++)
		log_warnx("camera libcamera: camera %zu is %s", i,
		    cams[i]->id().c_str());
}

static std::shared_ptr<Camera>
lc_camera_find(CameraManager *m, const char *source)
{
	std::vector<std::shared_ptr<Camera>> cams = m->cameras();
	std::shared_ptr<Camera> cam;
	size_t i = 0;

	if (cams.empty()) {
		log_warnx("camera libcamera: no camera found");
		errno = ENODEV;
		return nullptr;
	}
	if (source == NULL || source[0] == '\0' ||
	    strncmp(source, "/dev/", 5) == 0) {
		if (source != NULL && source[0] != '\0')
			log_debug("camera libcamera: source %s taken as the "
			    "first camera", source);
		return cams[0];
	}
	if (lc_all_digits(source)) {
		i = (size_t)atoi(source);
		if (i < cams.size())
			return cams[i];
		log_warnx("camera libcamera: no camera %zu: %zu found", i,
		    cams.size());
		lc_list_cameras(cams);
		errno = ENODEV;
		return nullptr;
	}
	if ((cam = m->get(std::string(source))) == nullptr) {
		log_warnx("camera libcamera: no camera %s", source);
		lc_list_cameras(cams);
		errno = ENODEV;
	}
	return cam;
}

static const struct lc_format *
lc_format_find(const PixelFormat &pf)
{
	for (size_t i = 0; i < LC_NFORMATS; i++)
		if (lc_formats[i].pf == pf)
			return &lc_formats[i];
	return nullptr;
}

/* The first format of ours the stream offers, or NULL. */
static const struct lc_format *
lc_format_choose(const StreamConfiguration &sc)
{
	std::vector<PixelFormat> offered = sc.formats().pixelformats();

	for (size_t i = 0; i < LC_NFORMATS; i++)
		for (const PixelFormat &pf : offered)
			if (pf == lc_formats[i].pf)
				return &lc_formats[i];
	/* A pipeline that lists nothing may still take its default. */
	return offered.empty() ? lc_format_find(sc.pixelFormat) : nullptr;
}

/*
 * Notes the device numbers of the camera's nodes: libcamera lists them
 * in the SystemDevices property since 0.1; 0.0.3 only maps a video node's
 * number to its camera, so every video node is tried.
 */
static void
lc_cam_devnums(struct lc_cam *c, CameraManager *m)
{
#if LC_AT_LEAST(0, 1)
	std::optional<Span<const int64_t>> devs =
	    c->camera->properties().get(properties::SystemDevices);

	(void)m;
	if (devs)
		for (int64_t d : *devs)
			c->devnums.push_back((dev_t)d);
#else
	static const char dir[] = "/sys/class/video4linux";
	unsigned maj, min;
	struct dirent *de;
	char path[300];
	FILE *f;
	DIR *d;

	if ((d = opendir(dir)) == NULL)
		return;
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s/dev", dir, de->d_name);
		if ((f = fopen(path, "re")) == NULL)
			continue;
		if (fscanf(f, "%u:%u", &maj, &min) == 2 &&
		    m->get(makedev(maj, min)) == c->camera)
			c->devnums.push_back(makedev(maj, min));
		fclose(f);
	}
	closedir(d);
#endif
	if (c->devnums.empty())
		log_debug("camera libcamera: %s: its device nodes are not "
		    "known; only a stall tells it is gone", c->id.c_str());
}

/* Whether a device node of the camera has gone. */
static bool
lc_cam_gone(const struct lc_cam *c)
{
	struct stat st;
	char path[64];

	for (dev_t d : c->devnums) {
		snprintf(path, sizeof(path), "/sys/dev/char/%u:%u", major(d),
		    minor(d));
		if (stat(path, &st) == -1 && errno == ENOENT)
			return true;
	}
	return false;
}

static int
lc_cam_configure(struct lc_cam *c, const struct camera_config *cfg)
{
	std::vector<StreamRole> roles{ StreamRole::Viewfinder };
	const struct lc_format *fmt;
	CameraConfiguration::Status st;
	int r;

	c->config = c->camera->generateConfiguration(roles);
	if (c->config == nullptr || c->config->size() != 1) {
		log_warnx("camera libcamera: %s: no viewfinder stream",
		    c->id.c_str());
		errno = EINVAL;
		return -1;
	}
	StreamConfiguration &sc = c->config->at(0);
	if ((fmt = lc_format_choose(sc)) == nullptr) {
		log_warnx("camera libcamera: %s: offers no YUV, grey or RGB "
		    "format", c->id.c_str());
		errno = EINVAL;
		return -1;
	}
	sc.pixelFormat = fmt->pf;
	if (cfg->width > 0 && cfg->height > 0)
		sc.size = Size((unsigned)cfg->width, (unsigned)cfg->height);
	sc.bufferCount = LC_BUFFERS;

	st = c->config->validate();
	if (st == CameraConfiguration::Invalid) {
		log_warnx("camera libcamera: %s: %s %dx%d is not a valid "
		    "configuration", c->id.c_str(), fmt->name, cfg->width,
		    cfg->height);
		errno = EINVAL;
		return -1;
	}
	/* Validation may have picked another format: is it one of ours? */
	if ((c->fmt = lc_format_find(sc.pixelFormat)) == nullptr) {
		log_warnx("camera libcamera: %s: asked for %s, the camera "
		    "would give %s", c->id.c_str(), fmt->name,
		    sc.pixelFormat.toString().c_str());
		errno = EINVAL;
		return -1;
	}
	if (cfg->width > 0 && cfg->height > 0 &&
	    (sc.size.width != (unsigned)cfg->width ||
	    sc.size.height != (unsigned)cfg->height))
		log_info("camera libcamera: %s: %dx%d asked, camera gave %ux%u",
		    c->id.c_str(), cfg->width, cfg->height, sc.size.width,
		    sc.size.height);
	if ((r = c->camera->configure(c->config.get())) < 0) {
		log_warnx("camera libcamera: %s: configure: %s",
		    c->id.c_str(), strerror(-r));
		errno = -r;
		return -1;
	}

	if (sc.size.width == 0 || sc.size.height == 0 ||
	    sc.size.width > LC_MAX_SIDE || sc.size.height > LC_MAX_SIDE) {
		log_warnx("camera libcamera: %s: unusable size %ux%u",
		    c->id.c_str(), sc.size.width, sc.size.height);
		errno = EINVAL;
		return -1;
	}
	c->stream = sc.stream();
	c->width = (int)sc.size.width;
	c->height = (int)sc.size.height;
	/* A pipeline that says no stride packs its rows. */
	c->stride = sc.stride != 0 ? (int)sc.stride : c->width * c->fmt->bpp;
	if (c->stride < c->width * c->fmt->bpp) {
		log_warnx("camera libcamera: %s: %d bytes a line for %d "
		    "pixels of %s", c->id.c_str(), c->stride, c->width,
		    c->fmt->name);
		errno = EINVAL;
		return -1;
	}
	c->span = (size_t)c->stride * (size_t)(c->height - 1) +
	    (size_t)c->width * (size_t)c->fmt->bpp;
	if (c->fmt->conv != LC_CONV_NONE)
		c->ybuf.resize((size_t)c->width * (size_t)c->height);
	return 0;
}

/* Maps the first plane of buffer i and makes its request. */
static int
lc_cam_buffer(struct lc_cam *c, FrameBuffer *b, unsigned i)
{
	const FrameBuffer::Plane &p = b->planes()[0];
	struct lc_map m;
	size_t page = (size_t)sysconf(_SC_PAGESIZE), off;
	std::unique_ptr<Request> req;
	int r;

	if (p.offset == FrameBuffer::Plane::kInvalidOffset ||
	    p.length < c->span) {
		log_warnx("camera libcamera: %s: buffer plane of %u bytes, a "
		    "frame needs %zu", c->id.c_str(), p.length, c->span);
		errno = EINVAL;
		return -1;
	}
	/* mmap() wants a page-aligned offset; the plane need not be. */
	off = p.offset & ~(page - 1);
	m.fd = p.fd.get();
	m.len = p.offset - off + p.length;
	m.base = mmap(NULL, m.len, PROT_READ, MAP_SHARED, m.fd, (off_t)off);
	if (m.base == MAP_FAILED) {
		log_warn("camera libcamera: %s: mmap", c->id.c_str());
		return -1;
	}
	m.y = (const uint8_t *)m.base + (p.offset - off);
	c->maps.push_back(m);

	if ((req = c->camera->createRequest(i)) == nullptr) {
		log_warnx("camera libcamera: %s: cannot make a request",
		    c->id.c_str());
		errno = ENOMEM;
		return -1;
	}
	if ((r = req->addBuffer(c->stream, b)) < 0) {
		log_warnx("camera libcamera: %s: addBuffer: %s",
		    c->id.c_str(), strerror(-r));
		errno = -r;
		return -1;
	}
	c->requests.push_back(std::move(req));
	return 0;
}

static int
lc_cam_buffers(struct lc_cam *c)
{
	int n;

	c->alloc = std::make_unique<FrameBufferAllocator>(c->camera);
	if ((n = c->alloc->allocate(c->stream)) < 0) {
		log_warnx("camera libcamera: %s: cannot allocate buffers: %s",
		    c->id.c_str(), strerror(-n));
		errno = -n;
		return -1;
	}
	const std::vector<std::unique_ptr<FrameBuffer>> &bufs =
	    c->alloc->buffers(c->stream);
	if (bufs.size() < LC_MIN_BUFFERS || bufs.size() > LC_MAX_BUFFERS) {
		log_warnx("camera libcamera: %s: %zu buffers allocated",
		    c->id.c_str(), bufs.size());
		errno = ENOMEM;
		return -1;
	}
	c->maps.reserve(bufs.size());
	c->requests.reserve(bufs.size());
	for (unsigned i = 0; i < bufs.size(); i++)
		if (lc_cam_buffer(c, bufs[i].get(), i) == -1)
			return -1;
	c->done.reserve(bufs.size());
	c->batch.reserve(bufs.size());
	return 0;
}

static int
lc_cam_fds(struct lc_cam *c)
{
	struct epoll_event ev;

	c->efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	c->tfd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
	c->pfd = epoll_create1(EPOLL_CLOEXEC);
	if (c->efd == -1 || c->tfd == -1 || c->pfd == -1) {
		log_warn("camera libcamera: eventfd, timerfd or epoll");
		return -1;
	}
	memset(&ev, 0, sizeof(ev));
	ev.events = EPOLLIN;
	ev.data.fd = c->efd;
	if (epoll_ctl(c->pfd, EPOLL_CTL_ADD, c->efd, &ev) == -1) {
		log_warn("camera libcamera: epoll_ctl");
		return -1;
	}
	ev.data.fd = c->tfd;
	if (epoll_ctl(c->pfd, EPOLL_CTL_ADD, c->tfd, &ev) == -1) {
		log_warn("camera libcamera: epoll_ctl");
		return -1;
	}
	return 0;
}

static int
lc_cam_setup(struct lc_cam *c, const struct camera_config *cfg)
{
	CameraManager *m;
	int r;

	if (lc_cam_fds(c) == -1)
		return -1;
	if ((m = lc_manager_get()) == nullptr)
		return -1;
	c->have_manager = true;
	if ((c->camera = lc_camera_find(m, cfg->source)) == nullptr)
		return -1;
	c->id = c->camera->id();
	if ((r = c->camera->acquire()) < 0) {
		log_warnx("camera libcamera: %s: cannot acquire it: %s",
		    c->id.c_str(), strerror(-r));
		errno = -r;
		return -1;
	}
	c->acquired = true;
	lc_cam_devnums(c, m);
	c->slots.c = c;
	c->camera->requestCompleted.connect(&c->slots,
	    &lc_slots::request_completed);
	c->camera->disconnected.connect(&c->slots,
	    &lc_slots::camera_disconnected);
	c->connected = true;

	if (lc_cam_configure(c, cfg) == -1 || lc_cam_buffers(c) == -1)
		return -1;
	c->frame_ns = cfg->fps > 0 ? 1000000000LL / cfg->fps : 0;
	c->cap_us = cfg->max_exposure_us > 0 ? cfg->max_exposure_us : 0;
	log_info("camera libcamera: %s: %s %dx%d, %d bytes a line, "
	    "%zu buffers", c->id.c_str(), c->fmt->name, c->width, c->height,
	    c->stride, c->requests.size());
	return 0;
}

static void lc_cam_close(void *priv);

static void *
lc_cam_open(const struct camera_config *cfg)
{
	struct lc_cam *c = nullptr;
	int saved;

	if (cfg == NULL) {
		errno = EINVAL;
		return NULL;
	}
	if (lc_abandoned) {
		log_debug("camera libcamera: not opened: a camera went away "
		    "while streaming, qrgated must restart");
		errno = ENODEV;
		return NULL;
	}
	try {
		c = new lc_cam();
		c->efd = c->tfd = c->pfd = -1;
		if (lc_cam_setup(c, cfg) == 0)
			return c;
		saved = errno != 0 ? errno : EIO;
	} catch (const std::exception &e) {
		log_warnx("camera libcamera: %s", e.what());
		saved = ENOMEM;
	} catch (...) {
		log_warnx("camera libcamera: open failed");
		saved = EIO;
	}
	lc_cam_close(c);
	errno = saved;
	return NULL;
}

static bool
lc_has_control(const ControlInfoMap &info, const ControlId &id)
{
	return info.count(id.id()) > 0;
}

/*
 * The cap on exposure against motion blur.  libcamera has no upper bound
 * for its auto exposure short of the frame duration, so the shim makes
 * one: exposure is left to the camera until the camera chooses a longer
 * one than the cap, then pinned at the cap with the gain still automatic
 * (brightness then comes from gain, noise instead of blur), and freed
 * again once the gain is back at its floor, where auto exposure would
 * choose a shorter time than the cap.
 */
static void
lc_expo_start(struct lc_cam *c, ControlList &ctrls)
{
	const ControlInfoMap &info = c->camera->controls();

	c->expo = LC_EXPO_OFF;
	c->expo_manual = c->expo_pending = false;
	if (c->cap_us == 0)
		return;
#if LC_AT_LEAST(0, 5)
	if (lc_has_control(info, controls::ExposureTime) &&
	    lc_has_control(info, controls::ExposureTimeMode))
		c->expo = LC_EXPO_MODES;
#else
	if (lc_has_control(info, controls::ExposureTime))
		c->expo = LC_EXPO_LEGACY;
#endif
	if (c->expo == LC_EXPO_OFF) {
		log_warnx("camera libcamera: %s: no exposure control: "
		    "max_exposure_us %d not applied", c->id.c_str(),
		    c->cap_us);
		return;
	}
	/* Where the camera has a short-exposure mode, it helps too. */
	if (lc_has_control(info, controls::AeExposureMode))
		ctrls.set(controls::AeExposureMode,
		    (int32_t)controls::ExposureShort);
	c->expo_settle = LC_EXPO_SETTLE;
}

/* Decides from a frame's metadata whether to pin or free the exposure. */
static void
lc_expo_observe(struct lc_cam *c, Request *r)
{
	if (c->expo == LC_EXPO_OFF)
		return;
	if (c->expo_settle > 0) {
		c->expo_settle--;
		return;
	}
	const ControlList &md = r->metadata();
	std::optional<int32_t> exp = md.get(controls::ExposureTime);
	std::optional<float> gain = md.get(controls::AnalogueGain);

	/* A little over the cap is the sensor's line rounding. */
	if (!c->expo_manual && exp && *exp > c->cap_us + c->cap_us / 32) {
		log_debug("camera libcamera: %s: exposure %d us, pinned at "
		    "%d us", c->id.c_str(), (int)*exp, c->cap_us);
		c->expo_manual = true;
	} else if (c->expo_manual && gain && *gain <= 1.05f) {
		log_debug("camera libcamera: %s: gain %.2f, exposure "
		    "automatic again", c->id.c_str(), (double)*gain);
		c->expo_manual = false;
	} else
		return;
	c->expo_pending = true;
	c->expo_settle = LC_EXPO_SETTLE;
}

static void
lc_expo_apply(struct lc_cam *c, ControlList &ctrls)
{
	if (!c->expo_pending)
		return;
	c->expo_pending = false;
#if LC_AT_LEAST(0, 5)
	if (c->expo_manual) {
		ctrls.set(controls::ExposureTimeMode,
		    (int32_t)controls::ExposureTimeModeManual);
		ctrls.set(controls::ExposureTime, (int32_t)c->cap_us);
	} else
		ctrls.set(controls::ExposureTimeMode,
		    (int32_t)controls::ExposureTimeModeAuto);
#else
	ctrls.set(controls::ExposureTime,
	    (int32_t)(c->expo_manual ? c->cap_us : 0));
#endif
}

/* Gives a request back to the camera.  Returns 0, or -1 logged. */
static int
lc_cam_requeue(struct lc_cam *c, Request *r)
{
	int rv;

	r->reuse(Request::ReuseBuffers);
	lc_expo_apply(c, r->controls());
	if ((rv = c->camera->queueRequest(r)) < 0) {
		log_warnx("camera libcamera: %s: queueRequest: %s",
		    c->id.c_str(), strerror(-rv));
		errno = -rv;
		return -1;
	}
	return 0;
}

static int
lc_cam_start(void *priv)
{
	struct lc_cam *c = (struct lc_cam *)priv;
	struct itimerspec it;
	int r;

	if (c->started)
		return 0;
	try {
		const ControlInfoMap &info = c->camera->controls();
		ControlList ctrls(info);

		/*
		 * A fixed frame duration sets the rate, and bounds the
		 * exposure by it too.
		 */
		if (c->frame_ns > 0 &&
		    lc_has_control(info, controls::FrameDurationLimits)) {
			int64_t us = c->frame_ns / 1000;

			ctrls.set(controls::FrameDurationLimits, { us, us });
		}
		lc_expo_start(c, ctrls);
		if ((r = c->camera->start(&ctrls)) < 0) {
			log_warnx("camera libcamera: %s: start: %s",
			    c->id.c_str(), strerror(-r));
			errno = -r;
			return -1;
		}
		c->started = true;
		for (std::unique_ptr<Request> &req : c->requests) {
			if ((r = c->camera->queueRequest(req.get())) < 0) {
				log_warnx("camera libcamera: %s: "
				    "queueRequest: %s", c->id.c_str(),
				    strerror(-r));
				errno = -r;
				return -1;
			}
		}
	} catch (const std::exception &e) {
		log_warnx("camera libcamera: %s: start: %s", c->id.c_str(),
		    e.what());
		errno = ENOMEM;
		return -1;
	}
	c->last_ns = lc_now_ns(CLOCK_MONOTONIC);
	c->first = true;
	memset(&it, 0, sizeof(it));
	it.it_value.tv_nsec = LC_WATCHDOG_MS * 1000000L;
	it.it_interval = it.it_value;
	if (timerfd_settime(c->tfd, 0, &it, NULL) == -1) {
		log_warn("camera libcamera: %s: timerfd_settime",
		    c->id.c_str());
		return -1;
	}
	return 0;
}

static int
lc_cam_fd(void *priv)
{
	struct lc_cam *c = (struct lc_cam *)priv;

	return c->pfd;
}

static void
lc_cam_convert(struct lc_cam *c, const uint8_t *src)
{
	const struct lc_format *f = c->fmt;
	uint8_t *dst = c->ybuf.data();

	for (int y = 0; y < c->height; y++) {
		const uint8_t *s = src + (size_t)y * (size_t)c->stride;
		uint8_t *d = dst + (size_t)y * (size_t)c->width;

		if (f->conv == LC_CONV_PACKED) {
			for (int x = 0; x < c->width; x++)
				d[x] = s[x * f->bpp + f->yoff];
			continue;
		}
		/* Full-range BT.601 luma, in 8-bit fixed point. */
		for (int x = 0; x < c->width; x++, s += f->bpp)
			d[x] = (uint8_t)((77 * s[f->ri] + 150 * s[f->gi] +
			    29 * s[f->bi] + 128) >> 8);
	}
}

/*
 * When the frame was captured, on CLOCK_MONOTONIC.  Request::metadata()
 * is const only since 0.1, hence the pointers to non-const here and in
 * lc_expo_observe().
 */
static int64_t
lc_frame_ts(Request *r, const FrameBuffer *b)
{
	std::optional<int64_t> ts =
	    r->metadata().get(controls::SensorTimestamp);

	if (ts && *ts > 0)
		return lc_ts_monotonic(*ts);
	return lc_ts_monotonic((int64_t)b->metadata().timestamp);
}

static bool
lc_frame_good(const struct lc_cam *c, const FrameBuffer *b)
{
	const FrameMetadata &md = b->metadata();

	switch (md.status) {
	case FrameMetadata::FrameSuccess:
#if LC_AT_LEAST(0, 6)
	/* Taken while the algorithms settle: still a picture to read. */
	case FrameMetadata::FrameStartup:
#endif
		break;
	default:
		return false;
	}
	/* A buffer shorter than the frame may hold a torn image. */
	return md.planes().size() == 0 ||
	    md.planes()[0].bytesused == 0 ||
	    md.planes()[0].bytesused >= c->span;
}

static int
lc_cam_next_frame(struct lc_cam *c, struct frame *out)
{
	Request *newest = nullptr;
	FrameBuffer *b;
	bool lost, fired = false;
	uint64_t n;

	if (read(c->efd, &n, sizeof(n)) == -1 && errno != EAGAIN)
		log_warn("camera libcamera: eventfd");
	if (read(c->tfd, &n, sizeof(n)) == (ssize_t)sizeof(n))
		fired = true;
	c->batch.clear();
	{
		std::lock_guard<std::mutex> g(c->lock);

		c->batch.swap(c->done);
		lost = c->lost;
	}
	if (lost) {
		log_warnx("camera libcamera: %s: disconnected", c->id.c_str());
		errno = ENODEV;
		return CAMERA_ERROR;
	}
	if (fired && lc_cam_gone(c)) {
		log_warnx("camera libcamera: %s: its device is gone",
		    c->id.c_str());
		errno = ENODEV;
		return CAMERA_ERROR;
	}

	for (Request *r : c->batch) {
		/* Only stop() cancels requests: the camera stopped itself. */
		if (r->status() == Request::RequestCancelled) {
			log_warnx("camera libcamera: %s: request cancelled",
			    c->id.c_str());
			errno = EIO;
			return CAMERA_ERROR;
		}
		b = r->findBuffer(c->stream);
		if (b == nullptr || !lc_frame_good(c, b)) {
			c->bad++;
			if (lc_cam_requeue(c, r) == -1)
				return CAMERA_ERROR;
			continue;
		}
		c->bad = 0;
		if (newest != nullptr && lc_cam_requeue(c, newest) == -1)
			return CAMERA_ERROR;
		newest = r;
	}
	if (c->bad >= LC_BAD_MAX) {
		log_warnx("camera libcamera: %s: %d bad frames in a row",
		    c->id.c_str(), c->bad);
		errno = EIO;
		return CAMERA_ERROR;
	}

	if (newest == nullptr) {
		int64_t idle = lc_now_ns(CLOCK_MONOTONIC) - c->last_ns;
		int64_t limit = (c->first ? LC_FIRST_STALL_MS : LC_STALL_MS) *
		    1000000LL + 4 * c->frame_ns;

		if (fired && idle > limit) {
			log_warnx("camera libcamera: %s: no frame for %lld ms",
			    c->id.c_str(), (long long)(idle / 1000000));
			errno = ETIMEDOUT;
			return CAMERA_ERROR;
		}
		return CAMERA_NONE;
	}

	c->last_ns = lc_now_ns(CLOCK_MONOTONIC);
	c->first = false;
	lc_expo_observe(c, newest);
	b = newest->findBuffer(c->stream);
	const struct lc_map &m = c->maps[newest->cookie()];
	out->width = c->width;
	out->height = c->height;
	out->ts_ns = lc_frame_ts(newest, b);
	out->seq = c->seq++;
	lc_map_sync(&m, true);
	if (c->fmt->conv == LC_CONV_NONE) {
		out->y = m.y;
		out->stride = c->stride;
		c->held = newest;
	} else {
		lc_cam_convert(c, m.y);
		lc_map_sync(&m, false);
		/* The copy is ours, so the camera can have its buffer now. */
		if (lc_cam_requeue(c, newest) == -1)
			return CAMERA_ERROR;
		out->y = c->ybuf.data();
		out->stride = c->width;
	}
	c->gave = true;
	return CAMERA_FRAME;
}

static int
lc_cam_next(void *priv, struct frame *out)
{
	struct lc_cam *c = (struct lc_cam *)priv;
	Request *r;

	try {
		if ((r = c->held) != nullptr) {
			c->held = nullptr;
			lc_map_sync(&c->maps[r->cookie()], false);
			if (lc_cam_requeue(c, r) == -1)
				return CAMERA_ERROR;
		}
		if (!c->started)
			return CAMERA_NONE;
		/*
		 * One frame per readiness, as camera.h asks: the fd stays
		 * readable while more are waiting, and the loop comes back
		 * once its other fds have had their turn.
		 */
		if (c->gave) {
			c->gave = false;
			return CAMERA_NONE;
		}
		return lc_cam_next_frame(c, out);
	} catch (const std::exception &e) {
		log_warnx("camera libcamera: %s: %s", c->id.c_str(), e.what());
		errno = ENOMEM;
		return CAMERA_ERROR;
	}
}

/*
 * A camera whose device nodes went while it streamed cannot be stopped:
 * for every pipeline but UVC's, libcamera does not hear of it, its stop()
 * cannot take the requests in flight back from a device that is gone, and
 * it aborts the process on the assertion that follows.  Nor can it be
 * freed while running (its IPA's thread would be destroyed running, which
 * ends the process too), nor can this process start another camera
 * manager while this one lives.  So the camera, its buffers and the
 * manager are left as they are, for good, and every later open() fails
 * until qrgated restarts: systemd's watchdog, which the daemon stops
 * feeding while its camera is lost, restarts it within WatchdogSec, and a
 * new process finds the camera afresh once it is back.
 */
static void
lc_cam_abandon(struct lc_cam *c)
{
	log_warnx("camera libcamera: %s: its device went while streaming; "
	    "libcamera cannot open a camera again until qrgated restarts",
	    c->id.c_str());
	lc_abandoned = true;
}

static void
lc_cam_close(void *priv)
{
	struct lc_cam *c = (struct lc_cam *)priv;
	bool gone, lost;
	int r;

	if (c == NULL)
		return;
	try {
		{
			std::lock_guard<std::mutex> g(c->lock);

			lost = c->lost;
		}
		/* A disconnected camera is no longer running: stop() is a no-op. */
		gone = c->started && !lost && lc_cam_gone(c);
		if (gone) {
			lc_cam_abandon(c);
			return;
		}
		/* stop() completes every queued request, as cancelled. */
		if (c->started && (r = c->camera->stop()) < 0)
			log_warnx("camera libcamera: %s: stop: %s",
			    c->id.c_str(), strerror(-r));
		if (c->connected) {
			c->camera->requestCompleted.disconnect(&c->slots);
			c->camera->disconnected.disconnect(&c->slots);
		}
		for (struct lc_map &m : c->maps)
			munmap(m.base, m.len);
		c->maps.clear();
		/* Requests name buffers, buffers the allocator's. */
		c->requests.clear();
		if (c->alloc != nullptr && c->stream != nullptr)
			c->alloc->free(c->stream);
		c->alloc.reset();
		c->config.reset();
		if (c->acquired)
			c->camera->release();
		c->camera.reset();
		if (c->have_manager)
			lc_manager_put();
	} catch (...) {
		log_warnx("camera libcamera: close failed");
	}
	if (c->pfd != -1)
		close(c->pfd);
	if (c->tfd != -1)
		close(c->tfd);
	if (c->efd != -1)
		close(c->efd);
	delete c;
}

extern "C" const struct camera_ops camera_libcamera_ops = {
	.name = "libcamera",
	.live = true,
	.open = lc_cam_open,
	.start = lc_cam_start,
	.fd = lc_cam_fd,
	.next = lc_cam_next,
	.close = lc_cam_close,
};
