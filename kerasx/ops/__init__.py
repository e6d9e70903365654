"""kerasx.ops: every op of the registry (the ``keras.ops`` surface)."""

from kerasx.ops.control_flow import *  # noqa: F403
from kerasx.ops.conv import *  # noqa: F403
from kerasx.ops.core import *  # noqa: F403
from kerasx.ops.creation import *  # noqa: F403
from kerasx.ops.elementwise import *  # noqa: F403
from kerasx.ops.imaging import *  # noqa: F403
from kerasx.ops.indexing import *  # noqa: F403
from kerasx.ops.linalg import *  # noqa: F403
from kerasx.ops.logic import *  # noqa: F403
from kerasx.ops.manipulation import *  # noqa: F403
from kerasx.ops.nn import *  # noqa: F403
from kerasx.ops.products import *  # noqa: F403
from kerasx.ops.reduction import *  # noqa: F403
from kerasx.ops.signal import *  # noqa: F403
